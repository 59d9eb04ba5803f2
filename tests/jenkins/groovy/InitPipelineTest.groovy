import org.junit.Before
import org.junit.Test

/** The Jenkinsfile `relay init` writes (the real CLI, into a fresh repository) runs its service's relay.yaml. */
class InitPipelineTest extends PipelineTestCase {
    File repository

    @Before
    void scaffold() {
        repository = File.createTempDir()
        repository.deleteOnExit()
        new File(repository, 'wsgi.py').text = 'def application(environ, start_response):\n    return []\n'
        Process init = [PYTHON, '-m', 'relay', 'init', '--directory', repository.path, '--service', 'shop',
                        '--wsgi', 'wsgi:application',
                        '--primary', 'eu-west-1', '--standby', 'eu-central-1'].execute(null, ROOT)
        String err = init.errorStream.text
        assert init.waitFor() == 0: err
        relayConfig = new File(repository, 'relay.yaml')
    }

    @Test
    void 'main runs staging, then prod behind its approvers, then its standby, in the service s regions'() {
        helper.runScript(new File(repository, 'Jenkinsfile').path)

        assertJobStatusSuccess()
        assert calls('relayPipeline')*.args*.toList() == [[]]  // relayPipeline(), no arguments
        assert helper.stagesRun == ['Test', 'Release', 'Deploy staging', 'Bundle staging', 'Release staging',
                                    'Smoke staging', 'Drift gate staging', 'Preview prod', 'Approve prod', 'Deploy prod',
                                    'Bundle prod', 'Release prod', 'Smoke prod', 'Deploy prod standby', 'Release prod standby']
        assert approvals()*.submitter == ['shop-release-managers', 'shop-release-managers']
        // The service's own locks: shop's releases never wait for Relay's, or another service's, of the same name.
        assert calls('lock')*.args*.getAt(0)*.resource.unique() ==
            ['shop-staging-eu-west-1', 'shop-prod-eu-west-1', 'shop-prod-eu-central-1']
        assert relayRuns().findAll { it.contains('--stack ') || it.contains('promote-standby') } == [
            'relay drift --env staging --stack shop-staging --region eu-west-1 --junit-file reports/drift-eu-west-1.xml --report-dir reports/drift/eu-west-1',
            'relay release promote-standby --env prod --from eu-west-1 --to eu-central-1',
        ]
    }

    @Test
    void 'a branch stops after staging'() {
        helper.env.BRANCH_NAME = 'feature/x'

        helper.runScript(new File(repository, 'Jenkinsfile').path)

        assert helper.stagesRun.last() == 'Drift gate staging'
        assert !relayRuns().any { it.contains('--env prod') }
    }
}
