import org.junit.Test

/** The scripts of the jobs in jobs/: DR, drift, template tests. */
class JobPipelinesTest extends PipelineTestCase {
    static final String REPOSITORY = 'https://github.com/example/relay.git'
    static final String CHECK = 'relay config check --output json'

    /** The pipeline's relay reads a second service's relay.yaml: shop, live in eu-west-1 with a standby. */
    void serveShop() {
        relayConfig = File.createTempFile('relay', '.yaml')
        relayConfig.deleteOnExit()
        relayConfig.text = 'service: shop\nenvironments:\n  live:\n    regions: {primary: eu-west-1, standby: eu-central-1}\n'
    }

    void runDr(Map parameters) {
        helper.params.putAll([ENVIRONMENT: 'prod', FROM_REGION: 'us-east-1', TO_REGION: 'us-west-2', EXECUTE: false,
                              CONFIRM: '', FORCE_RPO: '', REPOSITORY: REPOSITORY] + parameters)
        helper.runScript("${ROOT}/jobs/pipelines/dr.Jenkinsfile")
    }

    @Test
    void 'DR checks the service out and runs relay in it'() {
        runDr(ACTION: 'status')

        assert calls('git')*.args*.getAt(0) == [[url: REPOSITORY, branch: 'main', credentialsId: 'relay-github']]
        assert calls('dir')*.args*.getAt(0).unique() == ['service']
        assert calls('archiveArtifacts')[0].args[0] == [artifacts: 'service/reports/dr/**', allowEmptyArchive: true]
        assert calls('lock')*.args*.getAt(0)*.resource == ['relay-prod-us-west-2']  // both regions, Relay's names
    }

    @Test
    void 'DR of another service holds that service s locks'() {
        serveShop()

        runDr(ACTION: 'status', ENVIRONMENT: 'live', FROM_REGION: 'eu-west-1', TO_REGION: 'eu-central-1')

        assertJobStatusSuccess()
        Map lock = calls('lock')[0].args[0] as Map
        assert ([lock.resource] + lock.extra*.resource).sort() == ['shop-live-eu-central-1', 'shop-live-eu-west-1']
    }

    @Test
    void 'DR promote shows the readiness plan, then dry-runs by default'() {
        runDr(ACTION: 'promote')

        assertJobStatusSuccess()
        assert relayRuns() == [CHECK, 'relay dr plan --env prod --from us-east-1 --to us-west-2 --report-dir reports/dr',
                               'relay dr promote --env prod --from us-east-1 --to us-west-2 --report-dir reports/dr']
    }

    @Test
    void 'DR refuses to execute without the confirmation string'() {
        runDr(ACTION: 'promote', EXECUTE: true, CONFIRM: 'yes')

        assert helper.build.result == 'FAILURE'
        assert helper.failures*.message == ["relayDr: execute needs action promote, failback or drill and confirm: " +
                                            "'prod-us-west-2' (got action 'promote', confirm 'yes')"]
        assert relayRuns() == [CHECK, 'relay dr plan --env prod --from us-east-1 --to us-west-2 --report-dir reports/dr']
    }

    @Test
    void 'DR executes with the confirmation, even when the plan fails'() {
        helper.registerAllowedMethod('sh') { Object[] args ->
            Map call = args[0] instanceof Map ? args[0] as Map : [script: args[0]]
            if (helper.env.RELAY_DR_ACTION == 'plan') {
                throw new PipelineFailure('script returned exit code 1')
            }
            return call.script == CHECK ? relay(CHECK) : null
        }

        runDr(ACTION: 'promote', EXECUTE: true, CONFIRM: 'prod-us-west-2', FORCE_RPO: 'us-east-1 is down')

        assert helper.build.result == 'UNSTABLE'
        assert approvals()*.submitter == ['relay-oncall']  // on-call approves what the confirmation asked
        assert relayRuns()[2] == 'relay dr promote --env prod --from us-east-1 --to us-west-2 --report-dir reports/dr --execute --confirm prod-us-west-2' +
                                 ' --force-rpo us-east-1 is down'
    }

    @Test
    void 'DR failback skips the readiness plan'() {
        runDr(ACTION: 'failback', FROM_REGION: 'us-west-2', TO_REGION: 'us-east-1')

        assert helper.skippedStages == ['Readiness']
        assert relayRuns() == [CHECK, 'relay dr failback --env prod --from us-west-2 --to us-east-1 --report-dir reports/dr']
    }

    @Test
    void 'the drift job scans the regions of the service s relay yaml and notifies only when it fails'() {
        helper.params.putAll(IGNORE_FILE: '', REPOSITORY: REPOSITORY)
        helper.runScript("${ROOT}/jobs/pipelines/drift.Jenkinsfile")

        assertJobStatusSuccess()
        assert relayRuns()[0] == 'relay config check --output json'
        assert relayRuns().drop(1)*.find(/--region \S+/) == ['--region us-east-1', '--region us-west-2']
        assert calls('relayNotify').isEmpty()
    }

    @Test
    void 'the drift job of another service scans its regions'() {
        serveShop()
        helper.params.putAll(IGNORE_FILE: '', REPOSITORY: 'https://github.com/example/shop.git')
        helper.runScript("${ROOT}/jobs/pipelines/drift.Jenkinsfile")

        assert relayRuns().drop(1)*.find(/--region \S+/) == ['--region eu-west-1', '--region eu-central-1']
    }

    @Test
    void 'template tests run the stack tests on the emulator'() {
        helper.params.TARGET = 'emulator'
        helper.runScript("${ROOT}/jobs/pipelines/template-test.Jenkinsfile")

        assert helper.stagesRun == ['Set-up', 'Emulator']
        assert shLines()[1] == 'make test PYTEST_ARGS="tests/cloudformation tests/stacks --junitxml=reports/junit/templates.xml"'
        assert calls('withAWS').isEmpty()
    }

    @Test
    void 'template tests run taskcat on AWS in the test account'() {
        helper.params.putAll(TARGET: 'aws', AWS_ROLE: 'relay-taskcat', AWS_ACCOUNT: '111122223333')
        helper.runScript("${ROOT}/jobs/pipelines/template-test.Jenkinsfile")

        assert helper.stagesRun == ['Set-up', 'AWS']
        assert calls('withAWS')[0].args[0] == [role: 'relay-taskcat', roleAccount: '111122223333', region: 'us-east-1']
        // The standby test's source database is made before taskcat and removed after it.
        assert shLines().drop(1) == [
            'python -m relay.stacks.taskcat_source create --region us-east-1 --standby-region us-west-2',
            'mkdir -p build/taskcat && relay stack package --env demo --region us-east-1 > build/taskcat/main.yaml',
            '.tools/taskcat/bin/taskcat test run --output-directory reports/taskcat',
            'python -m relay.stacks.taskcat_source delete --region us-east-1 --standby-region us-west-2',
        ]
    }
}
