import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    action: null,          // required: plan | promote | failback | drill | status
    env: null,             // required: the environment to act on
    from: 'us-east-1',     // the region that is primary now
    to: 'us-west-2',       // the region to make primary (promote, drill) or re-protect from (failback)
    execute: false,        // promote, failback, drill: change things (false: dry-run, prints what it would do)
    confirm: '',           // with execute: must be '<env>-<to>', typed by the person who asks for it
    forceRpo: '',          // promote: the reason to go on although replica lag exceeds the RPO budget
    role: '',              // IAM role to assume (withAWS); '' uses the agent's credentials
    roleAccount: '',       // the account of that role, when it is not the agent's
    externalId: '',        // the external id the role's trust policy requires
    timeoutMinutes: 60,    // the whole step, waiting for the locks of both regions included
]

/** Plans, promotes, fails back or drills the standby region; executing needs the confirmation string. */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayDr', args, DEFAULTS,
                                        [action: ['plan', 'promote', 'failback', 'drill', 'status']])
    if (config.execute && (config.action in ['plan', 'status'] || config.confirm != "${config.env}-${config.to}")) {
        error("relayDr: execute needs action promote, failback or drill and confirm: '${config.env}-${config.to}'" +
              " (got action '${config.action}', confirm '${config.confirm}')")
    }
    String command = 'relay dr "$RELAY_DR_ACTION" --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO"'
    command += config.execute ? ' --execute --confirm "$RELAY_CONFIRM"' : ''
    command += config.forceRpo ? ' --force-rpo "$RELAY_FORCE_RPO"' : ''
    Map vars = [RELAY_DR_ACTION: config.action, RELAY_ENV: config.env, RELAY_FROM: config.from, RELAY_TO: config.to,
                RELAY_CONFIRM: config.confirm, RELAY_FORCE_RPO: config.forceRpo]
    relaySupport.frame(config, [config.to, config.from], vars) {
        sh command
    }
}
