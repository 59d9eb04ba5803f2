import org.junit.Test

/** Relay's own Jenkinsfile: relayPipeline with Relay's arguments, in the jobs of jobs/pipeline.yaml. */
class JenkinsfileTest extends PipelineTestCase {
    static final List<String> CHECKS = ['make setup', 'make lint', 'make test PYTEST_ARGS=--junitxml=reports/junit/pytest.xml']

    void run(Map parameters = [:]) {
        helper.params.putAll([STAGING_ENV: 'staging', PRIMARY_REGION: 'us-east-1', STANDBY_REGION: 'us-west-2'] + parameters)
        helper.runScript("${ROOT}/Jenkinsfile")
    }

    @Test
    void 'is relayPipeline with the job parameters, the notification targets and the build history of Relay'() {
        helper.env.RELAY_SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:relay-alarms'

        run()

        List<MethodCall> pipelines = calls('relayPipeline')
        assert pipelines*.stackDepth == [0]
        Map args = pipelines[0].args[0] as Map
        assert args.test instanceof Closure
        assert args.findAll { it.key != 'test' } == [
            agentLabel: 'relay', workspaceBin: '.venv/bin', stagingEnv: 'staging', primary: 'us-east-1',
            standby: 'us-west-2', approvers: 'relay-release-managers', buildsToKeep: 50, artifactsToKeep: 10,
            topicArn: 'arn:aws:sns:us-east-1:123456789012:relay-alarms', slackChannel: '',
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
            'relay bundle --upload --env staging --region us-east-1',
            'relay stack diff --env staging --region us-east-1',
            'relay stack deploy --env staging --region us-east-1 --yes',
            "relay release --env staging --region us-east-1 --bundle ${BUNDLE}",
            'relay smoke --env staging --region us-east-1',
            'relay drift --stack relay-staging --region us-east-1 --junit-file reports/drift-us-east-1.xml --report-dir reports/drift/us-east-1',
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
    void 'the failover job releases in us-west-2 and keeps us-east-1 as the standby'() {
        run(PRIMARY_REGION: 'us-west-2', STANDBY_REGION: 'us-east-1')

        assert relayRuns().findAll { it.contains('us-east-1') } == [
            'relay stack diff --env prod --region us-east-1',
            'relay stack deploy --env prod --region us-east-1 --yes',
            'relay release promote-standby --env prod --from us-west-2 --to us-east-1',
        ]
        assert relayRuns().size() == 17
    }

    @Test
    void 'a branch stops after the drift gate without waiting for an approval'() {
        helper.env.BRANCH_NAME = 'feature/x'

        run()

        assertJobStatusSuccess()
        assert helper.stagesRun == RelayPipelineTest.STAGING
        assert helper.skippedStages == ['Preview production', 'Production']
        assert approvals().isEmpty()
    }

    @Test
    void 'STAGING_ENV=prod on a branch is refused before anything runs'() {
        helper.env.BRANCH_NAME = 'feature/x'

        run(STAGING_ENV: 'prod')

        assert helper.build.result == 'FAILURE'
        assert helper.failures*.message == ["relayPipeline: stagingEnv 'prod' is the production environment: " +
                                            'production is released from main only, after approval']
        assert helper.stagesRun.isEmpty() && relayRuns().isEmpty()
    }

    @Test
    void 'a plain pipeline job, without BRANCH_NAME, reaches production from the main branch'() {
        helper.env.remove('BRANCH_NAME')
        helper.env.GIT_BRANCH = 'origin/main'

        run()

        assert helper.stagesRun == RelayPipelineTest.STAGING + RelayPipelineTest.PRODUCTION
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
