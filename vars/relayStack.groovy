import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    action: null,             // required: 'diff' (change-set preview) or 'deploy' (preview, then execute)
    env: null,                // required: an environment of the service's relay.yaml (root stack <service>-<env>)
    region: 'us-east-1',      // the region to deploy in
    allowReplacement: false,  // deploy: accept a change set that replaces resources
    allowDrift: false,        // deploy: deploy over resources changed outside CloudFormation
]

/** Previews (and on `deploy` executes) the change set of the root stack <service>-<env> in one region. */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayStack', args, DEFAULTS, [action: ['diff', 'deploy']])
    Map vars = [RELAY_ENV: config.env, RELAY_REGION: config.region]
    relaySupport.frame(config, [config.region], vars) {
        sh 'relay stack diff --env "$RELAY_ENV" --region "$RELAY_REGION"'
        if (config.action == 'deploy') {
            String deploy = 'relay stack deploy --env "$RELAY_ENV" --region "$RELAY_REGION" --yes'
            deploy += config.allowReplacement ? ' --allow-replacement' : ''
            deploy += config.allowDrift ? ' --allow-drift' : ''
            sh deploy
        }
    }
}
