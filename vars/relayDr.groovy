import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    action: null,          // required: plan | promote | failback | drill | status
    env: null,             // required: the environment to act on
    from: 'us-east-1',     // the region that is primary now
    to: 'us-west-2',       // the region to make primary (promote, drill) or re-protect from (failback)
    execute: false,        // promote, failback, drill: change things (false: dry-run, prints what it would do)
    confirm: '',           // with execute: '<env>-<region that changes>' (failback: <from>, else <to>), typed by a person
    forceRpo: '',          // promote: the reason to go on although replica lag exceeds the RPO budget
    approvers: '',         // with execute, required: who may approve the change (the on-call group), asked by input
]

/**
 * Plans, promotes, fails back or drills the standby region. Executing needs the confirmation string (a
 * guard against typos) and an approval by `approvers` (the authorization): the one who starts the job
 * may be anyone the job lets build, the one who approves is on call.
 */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayDr', args, DEFAULTS,
                                        [action: ['plan', 'promote', 'failback', 'drill', 'status']])
    relaySupport.refuse('relayDr', config.from == config.to,
                        "from and to are both ${config.from}: DR moves the primary to the other region")
    String expected = "${config.env}-${config.action == 'failback' ? config.from : config.to}"
    if (config.execute && (config.action in ['plan', 'status'] || config.confirm != expected)) {
        error("relayDr: execute needs action promote, failback or drill and confirm: '${expected}'" +
              " (got action '${config.action}', confirm '${config.confirm}')")
    }
    relaySupport.refuse('relayDr', config.execute && !config.approvers,
                        'execute needs approvers: who may approve a change to the regions (the on-call group)')
    if (config.execute) {
        input(message: "${config.action} ${config.env} from ${config.from} to ${config.to}: really change it?",
              ok: config.action.capitalize(), submitter: config.approvers)
    }
    // The timeline (JSON and HTML) goes to reports/dr for archiveArtifacts.
    String command = 'relay dr "$RELAY_DR_ACTION" --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO" --report-dir reports/dr'
    command += config.execute ? ' --execute --confirm "$RELAY_CONFIRM"' : ''
    command += config.forceRpo ? ' --force-rpo "$RELAY_FORCE_RPO"' : ''
    Map vars = [RELAY_DR_ACTION: config.action, RELAY_ENV: config.env, RELAY_FROM: config.from, RELAY_TO: config.to,
                RELAY_CONFIRM: config.confirm, RELAY_FORCE_RPO: config.forceRpo]
    relaySupport.frame(config, [config.to, config.from], vars) {
        sh command
    }
}
