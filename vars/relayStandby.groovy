import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    env: null,             // required: the environment whose standby follows the primary
    from: 'us-east-1',     // the primary region, where the release is live
    to: 'us-west-2',       // the standby region to bring onto the same release
]

/** Keeps the standby region on the primary's live release (bundle replicated, standby slot updated). */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayStandby', args, DEFAULTS)
    relaySupport.frame(config, [config.to], [RELAY_ENV: config.env, RELAY_FROM: config.from, RELAY_TO: config.to]) {
        sh 'relay release promote-standby --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO"'
    }
}
