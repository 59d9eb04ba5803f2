import org.junit.Test

class JenkinsfileTest extends PipelineTestCase {
    static final List<String> STAGING = ['Set-up', 'Lint', 'Test', 'Bundle', 'Deploy staging', 'Release staging',
                                         'Smoke staging', 'Drift gate']
    static final List<String> PRODUCTION = ['Preview production', 'Production', 'Deploy production', 'Bundle production',
                                            'Release production', 'Smoke production', 'Deploy standby', 'Release standby']

    void run() {
        helper.runScript("${ROOT}/Jenkinsfile")
    }

    @Test
    void 'main goes through staging, then production behind an approval, then the standby'() {
        run()

        assertJobStatusSuccess()
        assert helper.stagesRun == STAGING + PRODUCTION
        assert relayRuns() == [
            'relay bundle --upload --env staging --region us-east-1',
            'relay stack diff --env staging --region us-east-1',
            'relay stack deploy --env staging --region us-east-1 --yes',
            "relay release --env staging --region us-east-1 --bundle ${BUNDLE}",
            'relay smoke --env staging --region us-east-1',
            'mkdir -p reports && relay --output junit drift --stack relay-staging --region us-east-1 > reports/drift-us-east-1.xml',
            'relay stack diff --env prod --region us-east-1',
            'relay stack diff --env prod --region us-east-1',
            'relay stack deploy --env prod --region us-east-1 --yes',
            'relay bundle --upload --env prod --region us-east-1',
            "relay release --env prod --region us-east-1 --bundle ${BUNDLE} --plan",
            "relay release --env prod --region us-east-1 --bundle ${BUNDLE} --hold-at-ready",
            'relay release continue --env prod --region us-east-1',
            'relay smoke --env prod --region us-east-1',
            'relay stack diff --env prod --region us-west-2',
            'relay stack deploy --env prod --region us-west-2 --yes',
            'relay release promote-standby --env prod --from us-east-1 --to us-west-2',
        ]
        assert approvals()*.ok == ['Deploy', 'Release']
        assert shLines().take(3) == ['make setup', 'make lint', 'make test PYTEST_ARGS=--junitxml=reports/junit/pytest.xml']
    }

    @Test
    void 'the options and the relay on PATH'() {
        run()

        Map options = helper.callStack.findAll { it.stackDepth == 2 && it.methodName in
            ['timestamps', 'disableConcurrentBuilds', 'timeout', 'buildDiscarder'] }.collectEntries { [(it.methodName): it.args.toList()] }
        assert options == [timestamps: [], disableConcurrentBuilds: [[abortPrevious: true]],
                           timeout: [[time: 3, unit: 'HOURS']],
                           buildDiscarder: [[logRotator: [numToKeepStr: '50', artifactNumToKeepStr: '10']]]]
        assert calls('sh')[0].env.PATH == '/workspace/.venv/bin:/usr/bin:/bin'
    }

    @Test
    void 'a branch stops after the drift gate without waiting for an approval'() {
        helper.env.BRANCH_NAME = 'feature/x'

        run()

        assertJobStatusSuccess()
        assert helper.stagesRun == STAGING
        assert helper.skippedStages == ['Preview production', 'Production']
        assert approvals().isEmpty()
    }

    @Test
    void 'a plain pipeline job, without BRANCH_NAME, reaches production from the main branch'() {
        helper.env.remove('BRANCH_NAME')
        helper.env.GIT_BRANCH = 'origin/main'

        run()

        assert helper.stagesRun == STAGING + PRODUCTION
    }

    @Test
    void 'a rejected approval aborts before production changes'() {
        helper.registerAllowedMethod('input') { Object[] args -> throw new PipelineAborted('Rejected by alice') }

        run()

        assert helper.build.result == 'ABORTED'
        assert !relayRuns().any { it.contains('deploy --env prod') }
        assert calls('relayNotify').size() == 1
    }

    @Test
    void 'a failing test skips the rest and still publishes and notifies'() {
        failOn('make test')
        helper.env.RELAY_SLACK_CHANNEL = '#relay'

        run()

        assert helper.build.result == 'FAILURE'
        assert helper.stagesRun == ['Set-up', 'Lint', 'Test']
        assert calls('junit')[0].args[0] == [testResults: 'reports/junit/*.xml', allowEmptyResults: true]
        assert calls('archiveArtifacts')[0].args[0] == [artifacts: 'reports/**', allowEmptyArchive: true]
        assert calls('slackSend')[0].args[0].color == 'danger'
        assert relayRuns().isEmpty()
    }
}
