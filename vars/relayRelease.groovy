import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    env: null,             // required: an environment of the service's relay.yaml
    region: 'us-east-1',   // the region to release in
    bundle: null,          // required: the S3 URL relayBundle returned
    canary: 0,             // percent of traffic for the first step; 0 shifts all at once
    bake: '',              // seconds to watch the alarms after the shift; '' keeps relay's default
    approve: false,        // hold at ready (idle slot deployed and smoke-tested), ask (input), then shift
    approvers: '',         // with approve, required: who may approve (Jenkins users or groups, comma-separated)
    approvalMinutes: 60,   // how long the approval waits before the held release is aborted
    timeoutMinutes: 90,    // each locked part (release, or hold / continue / abort), lock wait included
]

/**
 * Blue/green release of a bundle. With `approve`, the idle slot is deployed and smoke-tested first
 * (`--hold-at-ready`), a person approves, then traffic moves (`continue`); a rejected or timed-out
 * approval runs `abort`. The wait is outside the lock: relay's pending record refuses any other release
 * of this env and region until `continue` or `abort` ends it.
 */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayRelease', args, DEFAULTS)
    relaySupport.refuse('relayRelease', config.approve && !config.approvers,
                        'approve needs approvers: an approval anyone who can build may give approves nothing')
    Map vars = [RELAY_ENV: config.env, RELAY_REGION: config.region, RELAY_BUNDLE: config.bundle,
                RELAY_CANARY: config.canary, RELAY_BAKE: config.bake]
    String release = 'relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE"'
    release += config.canary ? ' --canary "$RELAY_CANARY"' : ''
    release += config.bake == '' ? '' : ' --bake "$RELAY_BAKE"'
    if (!config.approve) {
        relaySupport.frame(config, [config.region], vars) {
            sh release
        }
        return
    }
    relaySupport.frame(config, [config.region], vars) {
        sh release + ' --plan'
        sh release + ' --hold-at-ready'
    }
    Map question = [message: "Move ${config.env} traffic in ${config.region} to ${config.bundle}?", ok: 'Release',
                    submitter: config.approvers]
    try {
        timeout(time: config.approvalMinutes, unit: 'MINUTES') {
            input(question)
        }
    } catch (rejected) {
        relaySupport.frame(config, [config.region], vars) {
            sh 'relay release abort --env "$RELAY_ENV" --region "$RELAY_REGION"'
        }
        throw rejected
    }
    relaySupport.frame(config, [config.region], vars) {
        sh 'relay release continue --env "$RELAY_ENV" --region "$RELAY_REGION"'
    }
}
