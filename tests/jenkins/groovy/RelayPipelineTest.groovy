import org.junit.Test

/** relayPipeline on Relay's relay.yaml, whose stages the real `relay config flow` derives. */
class RelayPipelineTest extends PipelineTestCase {
    static final List<String> STAGING = ['Test', 'Release', 'Deploy staging', 'Bundle staging', 'Release staging',
                                         'Smoke staging', 'Drift gate staging']
    static final List<String> PRODUCTION = ['Preview prod', 'Approve prod', 'Deploy prod', 'Bundle prod', 'Release prod',
                                            'Smoke prod', 'Deploy prod standby', 'Release prod standby']
    static final List<String> DEMO = ['Deploy demo', 'Bundle demo', 'Release demo', 'Smoke demo', 'Deploy demo standby',
                                      'Release demo standby', 'Drift gate demo']

    void run(Map args) {
        helper.loadScript("${ROOT}/vars/relayPipeline.groovy").call(args)
    }

    @Test
    void 'with no arguments, every environment of relay yaml in its order, production behind an approval'() {
        run([:])

        assertJobStatusSuccess()
        assert helper.stagesRun == STAGING.take(2) + DEMO + STAGING.drop(2) + PRODUCTION
        assert shLines()[0] == 'make "$RELAY_TEST_TARGET"'
        assert calls('sh')[0].env.RELAY_TEST_TARGET == 'test'
        assert !calls('sh')[0].env.containsKey('CI')
        assert shLines()[1] == 'relay config flow --environments "$RELAY_ENVIRONMENTS" --output json'
        assert calls('sh')[1].env.RELAY_ENVIRONMENTS == ''
    }

    @Test
    void 'the standby is deployed and put on the release after the primary'() {
        run(environments: ['demo'])

        assert relayRuns().drop(1) == [
            'relay stack diff --env demo --region us-east-1',
            'relay stack deploy --env demo --region us-east-1 --yes',
            'relay bundle --upload --env demo --region us-east-1',
            "relay release --env demo --region us-east-1 --bundle ${BUNDLE}",
            'relay smoke --env demo --region us-east-1',
            'relay stack diff --env demo --region us-west-2',
            'relay stack deploy --env demo --region us-west-2 --yes',
            'relay release promote-standby --env demo --from us-east-1 --to us-west-2',
            'relay drift --env demo --stack relay-demo --region us-east-1 --junit-file reports/drift-us-east-1.xml --report-dir reports/drift/us-east-1',
        ]
        assert approvals().isEmpty()
    }

    @Test
    void 'an environment with approvers is approved by them, and so is its release'() {
        run(environments: ['prod'], canary: 10)

        assert approvals()*.submitter == ['relay-release-managers', 'relay-release-managers']
        assert approvals()*.ok == ['Deploy', 'Release']
        assert relayRuns().contains("relay release --env prod --region us-east-1 --bundle ${BUNDLE} --canary 10 --hold-at-ready".toString())
        assert relayRuns().take(2) == ['relay config flow --environments prod --output json', 'relay stack diff --env prod --region us-east-1']
    }

    @Test
    void 'any agent, the agent PATH and the build history of a service by default'() {
        run([:])

        assert directive('agent') == [label: ['']]
        assert directive('options').subMap(['timestamps', 'disableConcurrentBuilds', 'timeout', 'buildDiscarder']) ==
            [timestamps: [], disableConcurrentBuilds: [], timeout: [[time: 180, unit: 'MINUTES']],
             buildDiscarder: [[logRotator: [numToKeepStr: '30', artifactNumToKeepStr: '']]]]
        assert calls('sh')*.env*.PATH.unique() == ['/usr/bin:/bin']
    }

    @Test
    void 'the agents, a relay installed in the workspace and the build history as given'() {
        run(agentLabel: 'relay', workspaceBin: '.venv/bin', buildsToKeep: 50, artifactsToKeep: 10)

        assert directive('agent') == [label: ['relay']]
        assert directive('options').buildDiscarder == [[logRotator: [numToKeepStr: '50', artifactNumToKeepStr: '10']]]
        assert calls('sh')*.env*.PATH.unique() == ['/workspace/.venv/bin:/usr/bin:/bin']
    }

    @Test
    void 'a test closure replaces the make target'() {
        List<String> ran = []

        run(test: { ran << helper.env.PATH })

        assert ran == ['/usr/bin:/bin']
        assert !shLines().any { it.startsWith('make') }
    }

    @Test
    void 'passes the account down to the steps'() {
        run(role: 'relay-deployer', roleAccount: '123456789012', environments: ['staging'])

        assert calls('withAWS')*.args*.getAt(0)*.role.unique() == ['relay-deployer']
    }

    @Test
    void 'another production branch'() {
        helper.env.BRANCH_NAME = 'release'

        run(productionBranch: 'release')

        assert helper.stagesRun.contains('Release prod')
    }

    @Test
    void 'a branch stops before the first environment with approvers'() {
        helper.env.BRANCH_NAME = 'feature/x'

        run(environments: ['staging', 'prod'])

        assertJobStatusSuccess()
        assert helper.stagesRun == STAGING
        assert !relayRuns().any { it.contains('--env prod') }
        assert approvals().isEmpty()
        assert calls('echo')[0].text == 'relayPipeline: Preview prod and the stages after it run from main only'
    }

    @Test
    void 'environments relay yaml does not define are refused by relay, before any stage'() {
        run(environments: ['qa'])

        assert helper.build.result == 'FAILURE'
        assert helper.failures[0].message.contains('unknown environment(s) qa; use some of: demo, staging, prod')
        assert helper.stagesRun == ['Test', 'Release']
        assert relayRuns() == ['relay config flow --environments qa --output json']
    }

    @Test
    void 'a rejected approval aborts before production changes'() {
        helper.registerAllowedMethod('input') { Object[] args -> throw new PipelineAborted('Rejected by alice') }

        run(environments: ['prod'])

        assert helper.build.result == 'ABORTED'
        assert relayRuns().drop(1) == ['relay stack diff --env prod --region us-east-1']
        assert calls('relayNotify').size() == 1
    }

    @Test
    void 'only relay-* roles in the allowed accounts'() {
        assert errorOf { run(role: 'arn:aws:iam::999999999999:role/relay-deployer') }.contains(
            "role 'arn:aws:iam::999999999999:role/relay-deployer' is not a relay-* role in an allowed account (123456789012)")
        assert errorOf { run(role: 'Admin') }.contains("role 'Admin' is not a relay-* role")
        assert errorOf { run(role: 'relay-deployer', roleAccount: '999999999999') }.contains(
            "roleAccount '999999999999' is not an allowed account (123456789012)")
    }

    @Test
    void 'rejects a typo, and the arguments relay yaml replaced, before anything runs'() {
        assert errorOf { run(enviroments: ['qa']) }.startsWith('relayPipeline: unknown argument(s): enviroments (')
        assert errorOf { run(stagingEnv: 'staging', primary: 'us-east-1') }.startsWith(
            'relayPipeline: unknown argument(s): primary, stagingEnv (')
        assert errorOf { run(service: 'shop') } == "relayPipeline: service is relay.yaml's, not an argument"
        assert helper.stagesRun.isEmpty()
    }
}
