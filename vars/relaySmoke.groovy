import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    env: null,             // required: demo | staging | prod
    region: 'us-east-1',   // the region to test
    slot: '',              // 'blue' or 'green' to test one slot; '' tests the live one
    timeoutMinutes: 10,    // the whole step, waiting for the lock included
]

/** Smoke-tests the API (/readyz, /version, a create-and-read round trip); fails the build when it fails. */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relaySmoke', args, DEFAULTS, [slot: ['', 'blue', 'green']])
    Map vars = [RELAY_ENV: config.env, RELAY_REGION: config.region, RELAY_SLOT: config.slot]
    relaySupport.frame(config, [config.region], vars) {
        sh 'relay smoke --env "$RELAY_ENV" --region "$RELAY_REGION"' + (config.slot ? ' --slot "$RELAY_SLOT"' : '')
    }
}
