import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    env: null,             // required: the environment whose standby follows the primary
    from: 'us-east-1',     // the primary region, where the release is live
    to: 'us-west-2',       // the standby region to bring onto the same release
    role: '',              // IAM role to assume (withAWS); '' uses the agent's credentials
    roleAccount: '',       // the account of that role, when it is not the agent's
    externalId: '',        // the external id the role's trust policy requires
    timeoutMinutes: 60,    // the whole step, waiting for the lock included
]

/** Keeps the standby region on the primary's live release (bundle replicated, standby slot updated). */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayStandby', args, DEFAULTS)
    relaySupport.frame(config, [config.to], [RELAY_ENV: config.env, RELAY_FROM: config.from, RELAY_TO: config.to]) {
        sh 'relay release promote-standby --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO"'
    }
}
