import org.junit.Test

class RelayDriftTest extends StepTestCase {
    final String stepName = 'relayDrift'

    @Test
    void 'scans the service s stacks in both regions without a lock, publishes JUnit and archives the HTML report per region'() {
        step([:])

        String scan = 'relay drift --region "$RELAY_REGION"' +
                      ' --junit-file "reports/drift-$RELAY_REGION.xml" --report-dir "reports/drift/$RELAY_REGION"'
        assert shLines() == [scan, scan]
        assert calls('sh')*.env*.RELAY_REGION == ['us-east-1', 'us-west-2']
        assert calls('lock').isEmpty()
        assert calls('junit')[0].args[0] == [testResults: 'reports/drift-us-east-1.xml,reports/drift-us-west-2.xml',
                                             allowEmptyResults: true]
        assert calls('archiveArtifacts')*.args*.getAt(0) == [[artifacts: 'reports/drift/**', allowEmptyArchive: true]]
        assertJobStatusSuccess()
    }

    @Test
    void 'one environment is scanned under its lock, with the ignore rules'() {
        step(env: 'staging', regions: ['us-east-1'], ignore: 'drift-ignore.yaml')

        assert shLines() == ['relay drift --env "$RELAY_ENV" --stack "$RELAY_STACK" --region "$RELAY_REGION" --ignore "$RELAY_DRIFT_IGNORE"' +
                             ' --junit-file "reports/drift-$RELAY_REGION.xml" --report-dir "reports/drift/$RELAY_REGION"']
        assert calls('sh')[0].env.subMap(['RELAY_ENV', 'RELAY_STACK']) == [RELAY_ENV: 'staging', RELAY_STACK: 'relay-staging']
        assert calls('lock')[0].args[0].resource == 'relay-staging-us-east-1'
    }

    @Test
    void 'another service names its root stack'() {
        step(env: 'live', stack: 'shop-live', regions: ['eu-west-1'])

        assert calls('sh')[0].env.subMap(['RELAY_STACK', 'RELAY_REGION']) == [RELAY_STACK: 'shop-live', RELAY_REGION: 'eu-west-1']
    }

    @Test
    void 'ignore rules come from the workspace only'() {
        ['/etc/ignore.yaml', '../other/ignore.yaml', 'rules/../../ignore.yaml', '~/ignore.yaml'].each { path ->
            assert errorOf { step(ignore: path) } ==
                "relayDrift: ignore must be a path inside the workspace (relative, no '..'), not '${path}'"
        }
        assert shLines().isEmpty()
    }

    @Test
    void 'no region is refused'() {
        assert errorOf { step(regions: []) } == 'relayDrift: regions must name at least one region'
    }

    @Test
    void 'drift (exit 2) fails the build after the reports are published'() {
        shAnswers['drift'] = 2

        assert errorOf { step([:]) } ==
            'relayDrift: drift in us-east-1, us-west-2; see the JUnit report (revert it, or ignore it with a reason)'
        assert calls('junit').size() == 1
        assert calls('archiveArtifacts').size() == 1
    }

    @Test
    void 'drift only marks the build unstable when asked'() {
        shAnswers['drift'] = 2

        step(failOnDrift: false)

        assert helper.build.result == 'UNSTABLE'
    }

    @Test
    void 'a failed scan (exit 1) is an error, not drift'() {
        shAnswers['drift'] = 1

        assert errorOf { step(regions: ['us-west-2']) } == 'relayDrift: the scan failed in us-west-2; the log above says why'
    }
}
