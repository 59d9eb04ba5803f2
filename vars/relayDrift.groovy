import groovy.transform.Field

@Field
static final Map DEFAULTS = [
    env: '',                                // '' scans the service's stacks (relay.yaml); an environment scans `stack` under its lock, as its account's role
    stack: '',                              // with env: its root stack (relay config flow names it); '' <service>-<env>
    regions: ['us-east-1', 'us-west-2'],    // each region gets its own scan and JUnit file
    ignore: '',                             // ignore-rules file (YAML, a reason per rule) in the workspace; '' none
    failOnDrift: true,                      // drift fails the build; false marks it UNSTABLE
    timeoutMinutes: 30,                     // per region, waiting for the lock included
]

/** Scans for changes made outside CloudFormation per region: JUnit published, HTML archived; fails on drift. */
def call(Map args = [:]) {
    Map config = relaySupport.arguments('relayDrift', args, DEFAULTS)
    // The rules come from the repository: a path outside it would let a parameter pick what drift is ignored.
    relaySupport.refuse('relayDrift', config.ignore.startsWith('/') || config.ignore.startsWith('~') ||
                        config.ignore.contains('\\') || config.ignore.split('/').contains('..'),
                        "ignore must be a path inside the workspace (relative, no '..'), not '${config.ignore}'")
    relaySupport.refuse('relayDrift', !config.regions, 'regions must name at least one region')
    // The log gets the table for people; JUnit and the HTML page (with its JSON) go to files.
    // With an environment, relay assumes the role of its account (relay.yaml), as every --env command does.
    String scan = 'relay drift' + (config.env ? ' --env "$RELAY_ENV" --stack "$RELAY_STACK"' : '')
    scan += ' --region "$RELAY_REGION"' + (config.ignore ? ' --ignore "$RELAY_DRIFT_IGNORE"' : '')
    scan += ' --junit-file "reports/drift-$RELAY_REGION.xml" --report-dir "reports/drift/$RELAY_REGION"'
    Map<String, Integer> exits = [:]
    config.regions.each { region ->
        Map vars = [RELAY_ENV: config.env, RELAY_STACK: config.stack ?: "${config.service}-${config.env}", RELAY_REGION: region,
                    RELAY_DRIFT_IGNORE: config.ignore]
        relaySupport.frame(config, [region], vars) {
            exits[region] = sh(returnStatus: true, script: scan)
        }
    }
    junit(testResults: config.regions.collect { "reports/drift-${it}.xml" }.join(','), allowEmptyResults: true)
    archiveArtifacts(artifacts: 'reports/drift/**', allowEmptyArchive: true)
    List failed = exits.findAll { it.value == 1 }.keySet() as List
    List drifted = exits.findAll { it.value == 2 }.keySet() as List
    if (failed) {
        error("relayDrift: the scan failed in ${failed.join(', ')}; the log above says why")
    }
    if (drifted && config.failOnDrift) {
        error("relayDrift: drift in ${drifted.join(', ')}; see the JUnit report (revert it, or ignore it with a reason)")
    }
    if (drifted) {
        unstable("relayDrift: drift in ${drifted.join(', ')}; see the JUnit report")
    }
}
