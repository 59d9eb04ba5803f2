import org.junit.Test

class RelayBundleTest extends StepTestCase {
    final String stepName = 'relayBundle'

    @Test
    void 'uploads and returns the S3 URL relay prints'() {
        shAnswers['relay bundle'] = 's3://relay-staging-artifacts/bundles/ab12.zip\n'

        assert step(env: 'staging') == 's3://relay-staging-artifacts/bundles/ab12.zip'
        assert shLines() == ['relay bundle --upload --env "$RELAY_ENV" --region "$RELAY_REGION"']
        assert calls('lock')[0].args[0].resource == 'relay-staging-us-east-1'
    }

    @Test
    void 'its own timeout over the shared one, and a given one over both'() {
        step(env: 'staging')
        step(env: 'staging', timeoutMinutes: 45)

        assert calls('timeout')*.args*.getAt(0) == [[time: 20, unit: 'MINUTES'], [time: 45, unit: 'MINUTES']]
    }

    @Test
    void 'the environment is required'() {
        assert errorOf { step([:]) } == 'relayBundle: missing argument(s): env ' +
            '(arguments: env, region, role, roleAccount, externalId, service, timeoutMinutes; see vars/relayBundle.txt)'
    }
}
