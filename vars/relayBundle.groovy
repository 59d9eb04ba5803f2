import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    env: null,             // required: the environment whose artifact bucket receives the bundle
    region: 'us-east-1',   // the region of that bucket
    timeoutMinutes: 20,    // the whole step, waiting for the lock included
]

/** Builds the reproducible revision zip, uploads it, and returns its S3 URL (relay prints it on stdout). */
String call(Map args = [:]) {
    Map config = relaySupport.arguments('relayBundle', args, DEFAULTS)
    String location = ''
    relaySupport.frame(config, [config.region], [RELAY_ENV: config.env, RELAY_REGION: config.region]) {
        location = sh(returnStdout: true, script: 'relay bundle --upload --env "$RELAY_ENV" --region "$RELAY_REGION"').trim()
    }
    return location
}
