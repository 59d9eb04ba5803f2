import org.junit.Test

/** Relay's own Jenkinsfile: relayPipeline on Relay's relay.yaml, staging and prod, with Relay's arguments. */
class JenkinsfileTest extends PipelineTestCase {
    static final List<String> CHECKS = ['make setup', 'make lint', 'make test PYTEST_ARGS=--junitxml=reports/junit/pytest.xml']

    void run() {
        helper.runScript("${ROOT}/Jenkinsfile")
    }

    @Test
    void 'is relayPipeline with the environments, the notification targets and the build history of Relay'() {
        helper.env.RELAY_SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:relay-alarms'

        run()

        List<MethodCall> pipelines = calls('relayPipeline')
        assert pipelines*.stackDepth == [0]
        Map args = pipelines[0].args[0] as Map
        assert args.test instanceof Closure
        assert args.findAll { it.key != 'test' } == [
            agentLabel: 'relay', workspaceBin: '.venv/bin', environments: ['staging', 'prod'], buildsToKeep: 50,
            artifactsToKeep: 10, topicArn: 'arn:aws:sns:us-east-1:123456789012:relay-alarms', slackChannel: '',
        ]
        assert directive('agent') == [label: ['relay']]
        assert directive('options').subMap(['timestamps', 'disableConcurrentBuilds', 'timeout', 'buildDiscarder']) ==
            [timestamps: [], disableConcurrentBuilds: [], timeout: [[time: 180, unit: 'MINUTES']],
             buildDiscarder: [[logRotator: [numToKeepStr: '50', artifactNumToKeepStr: '10']]]]
    }

    @Test
    void 'main goes through its checks and staging, then production behind an approval, then the standby'() {
        run()

        assertJobStatusSuccess()
        assert helper.stagesRun == RelayPipelineTest.STAGING + RelayPipelineTest.PRODUCTION
        assert shLines().take(3) == CHECKS
        assert relayRuns() == [
            'relay config flow --environments staging,prod --output json',
            'relay stack diff --env staging --region us-east-1',
            'relay stack deploy --env staging --region us-east-1 --yes',
            'relay bundle --upload --env staging --region us-east-1',
            "relay release --env staging --region us-east-1 --bundle ${BUNDLE}",
            'relay smoke --env staging --region us-east-1',
            'relay drift --env staging --stack relay-staging --region us-east-1 --junit-file reports/drift-us-east-1.xml --report-dir reports/drift/us-east-1',
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
        assert approvals()*.submitter == ['relay-release-managers', 'relay-release-managers']
    }

    @Test
    void 'the checks run under CI=true, and every stage with the relay of the workspace'() {
        run()

        assert calls('sh').findAll { it.text in CHECKS }*.env*.CI == ['true', 'true', 'true']
        assert calls('sh').findAll { !(it.text in CHECKS) }*.env*.CI.unique() == [null]
        assert calls('sh')*.env*.PATH.unique() == ['/workspace/.venv/bin:/usr/bin:/bin']
    }

    @Test
    void 'a branch stops after the drift gate without waiting for an approval'() {
        helper.env.BRANCH_NAME = 'feature/x'

        run()

        assertJobStatusSuccess()
        assert helper.stagesRun == RelayPipelineTest.STAGING
        assert approvals().isEmpty()
    }

    @Test
    void 'a plain pipeline job, without BRANCH_NAME, reaches production from the main branch'() {
        helper.env.remove('BRANCH_NAME')
        helper.env.GIT_BRANCH = 'origin/main'

        run()

        assert helper.stagesRun == RelayPipelineTest.STAGING + RelayPipelineTest.PRODUCTION
    }

    @Test
    void 'a failing check skips the rest and still publishes and notifies'() {
        failOn('make lint')
        helper.env.RELAY_SLACK_CHANNEL = '#relay'

        run()

        assert helper.build.result == 'FAILURE'
        assert helper.stagesRun == ['Test']
        assert shLines() == CHECKS.take(2)
        assert calls('junit')[0].args[0] == [testResults: 'reports/junit/*.xml', allowEmptyResults: true]
        assert calls('archiveArtifacts')[0].args[0] == [artifacts: 'reports/**', allowEmptyArchive: true]
        assert calls('slackSend')[0].args[0].color == 'danger'
        assert relayRuns().isEmpty()
    }
}
