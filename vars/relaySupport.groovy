import com.cloudbees.groovy.cps.NonCPS
import groovy.transform.Field

/*
 * What every relay* step shares: the arguments they all take, checking a step's arguments, and the frame
 * its `sh` runs in (timeout, locks, AWS account, environment). Kept here so the steps stay their own
 * defaults and their CLI lines.
 */

/** The AWS account of a step's `sh`: every step takes it, and relayPipeline hands it on to the steps. */
@Field
static final Map ACCOUNT = [
    role: '',          // IAM role to assume (withAWS); '' uses the agent's credentials
    roleAccount: '',   // the account of that role, when it is not the agent's
    externalId: '',    // the external id the role's trust policy requires
]

/**
 * The AWS identities a build may assume: roles named relay-*, by name or by ARN, in the accounts listed.
 * Each organisation lists its accounts here, in its copy of the library: a Jenkinsfile cannot widen the
 * list because the controller fixes the library version (docs/jenkins.md, docs/security.md).
 */
@Field
static final List<String> ALLOWED_ACCOUNTS = ['123456789012']
@Field
static final String ROLE_NAME = /relay-[\w+=,.@-]{1,57}/

/**
 * The environment of every relay call: a Jenkins log is no terminal, so the CLI is told how wide its tables
 * may be (it prints no colour codes there by itself).
 */
@Field
static final Map<String, String> CONSOLE = [COLUMNS: '160']

/**
 * The service whose environments a step works on (relay.yaml's `service`), naming its locks
 * <service>-<env>-<region> so two services' releases never wait for each other; relayPipeline and the DR
 * job pass relay.yaml's. Relay's own by default.
 */
@Field
static final String SERVICE = 'relay'

/** Every step's timeoutMinutes unless its work needs another: the whole step, waiting for the lock included. */
@Field
static final int TIMEOUT_MINUTES = 60

/**
 * The step's arguments over its defaults and the shared ones. A default of null marks a required
 * argument; unknown keys, missing ones and values outside `choices` are reported together in one error
 * naming the step.
 */
Map arguments(String step, Map args, Map defaults, Map<String, List> choices = [:]) {
    Map all = withShared(defaults)
    String problems = problemsWith(args, all, choices)
    if (problems) {
        error("${step}: ${problems} (arguments: ${all.keySet().join(', ')}; see vars/${step}.txt)")
    }
    return all + args
}

/** Fails the step with `message` when `problem` holds: one line naming the step, before anything runs. */
void refuse(String step, boolean problem, String message) {
    if (problem) {
        error("${step}: ${message}")
    }
}

/** The account part of a step's arguments, to hand on to the steps a pipeline calls. */
Map account(Map config) {
    return config.subMap(ACCOUNT.keySet())
}

/** The step's own defaults, then the shared ones (the step's value where it sets one, e.g. its timeout). */
@NonCPS
private static Map withShared(Map defaults) {
    Map shared = ACCOUNT + [service: SERVICE, timeoutMinutes: TIMEOUT_MINUTES]
    Map own = defaults.findAll { key, value -> !shared.containsKey(key) }
    return own + shared + defaults.findAll { key, value -> shared.containsKey(key) }
}

@NonCPS
private static String problemsWith(Map args, Map defaults, Map<String, List> choices) {
    List<String> problems = []
    List unknown = (args.keySet() - defaults.keySet()).sort()
    List missing = defaults.findAll { key, value -> value == null && args[key] in [null, ''] }.keySet().sort()
    if (unknown) {
        problems << "unknown argument(s): ${unknown.join(', ')}"
    }
    if (missing) {
        problems << "missing argument(s): ${missing.join(', ')}"
    }
    choices.each { key, allowed ->
        if (args[key] != null && !(args[key] in allowed)) {
            problems << "${key} must be one of ${allowed.join(', ')}, not '${args[key]}'"
        }
    }
    problems.addAll(accountProblems(args))
    return problems.join('; ')
}

/** A role outside ROLE_NAME or an account outside ALLOWED_ACCOUNTS: the credentials are not the build's to pick. */
@NonCPS
private static List<String> accountProblems(Map args) {
    List<String> problems = []
    String role = args.role ?: ''
    java.util.regex.Matcher arn = role =~ /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*(${ROLE_NAME})$/
    boolean named = role ==~ /^${ROLE_NAME}$/
    if (role && !named && !(arn.matches() && arn.group(1) in ALLOWED_ACCOUNTS)) {
        problems << "role '${role}' is not a relay-* role in an allowed account (${ALLOWED_ACCOUNTS.join(', ')})"
    }
    String account = args.roleAccount ?: ''
    if (account && !(account in ALLOWED_ACCOUNTS)) {
        problems << "roleAccount '${account}' is not an allowed account (${ALLOWED_ACCOUNTS.join(', ')})"
    }
    return problems
}

/**
 * Runs body within the step's timeout (time spent waiting for a lock counts), holding <service>-<env>-<region>
 * for every region at once (lockable-resources takes `extra` atomically, so two DR runs cannot deadlock),
 * with the role's AWS credentials when one is given (pipeline-aws-plugin) and CONSOLE and `vars` in the
 * environment.
 */
void frame(Map config, List<String> regions, Map vars, Closure body) {
    timeout(time: config.timeoutMinutes, unit: 'MINUTES') {
        withLocks(config.env ? regions.collect { region -> "${config.service}-${config.env}-${region}" } : []) {
            inAccount(config, regions[0]) {
                withEnv((CONSOLE + vars).collect { key, value -> "${key}=${value}" }) {
                    body()
                }
            }
        }
    }
}

/** No environment, no lock: a scan of every stack (relayDrift without env) must not wait for releases. */
private void withLocks(List<String> locks, Closure body) {
    if (locks) {
        lock(resource: locks[0], extra: locks.drop(1).collect { [resource: it] }) {
            body()
        }
    } else {
        body()
    }
}

/** Runs body with the role's credentials when one is given, else with the agent's own. */
void inAccount(Map config, String region, Closure body) {
    if (config.role) {
        Map role = [region: region, role: config.role]
        if (config.roleAccount) {
            role.roleAccount = config.roleAccount
        }
        if (config.externalId) {
            role.externalId = config.externalId
        }
        withAWS(role) {
            body()
        }
    } else {
        body()
    }
}
