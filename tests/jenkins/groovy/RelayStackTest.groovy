import org.junit.Test

class RelayStackTest extends StepTestCase {
    final String stepName = 'relayStack'

    @Test
    void 'deploy previews the change set, then executes it, under the env-region lock'() {
        step(action: 'deploy', env: 'staging', region: 'us-west-2')

        assert shLines() == [
            'relay stack diff --env "$RELAY_ENV" --region "$RELAY_REGION"',
            'relay stack deploy --env "$RELAY_ENV" --region "$RELAY_REGION" --yes',
        ]
        assert calls('sh')*.env*.subMap(['RELAY_ENV', 'RELAY_REGION']).unique() == [[RELAY_ENV: 'staging', RELAY_REGION: 'us-west-2']]
        assert calls('lock')[0].args[0] == [resource: 'relay-staging-us-west-2', extra: []]
        assert calls('timeout')[0].args[0] == [time: 60, unit: 'MINUTES']
        assert calls('withAWS').isEmpty()
    }

    @Test
    void 'diff only previews'() {
        step(action: 'diff', env: 'prod')

        assert shLines() == ['relay stack diff --env "$RELAY_ENV" --region "$RELAY_REGION"']
    }

    @Test
    void 'the allow flags are literal options, never interpolated'() {
        step(action: 'deploy', env: 'prod', allowReplacement: true, allowDrift: true)

        assert shLines()[1] == 'relay stack deploy --env "$RELAY_ENV" --region "$RELAY_REGION" --yes --allow-replacement --allow-drift'
    }

    @Test
    void 'a role is assumed with withAWS'() {
        step(action: 'diff', env: 'prod', role: 'relay-deployer', roleAccount: '123456789012', externalId: 'x-1')

        assert calls('withAWS')[0].args[0] == [region: 'us-east-1', role: 'relay-deployer', roleAccount: '123456789012', externalId: 'x-1']
    }

    @Test
    void 'a value with shell syntax reaches sh only through the environment'() {
        step(action: 'diff', env: 'prod; rm -rf /', region: '$(id)')

        assert shLines() == ['relay stack diff --env "$RELAY_ENV" --region "$RELAY_REGION"']
        assert calls('sh')[0].env.RELAY_ENV == 'prod; rm -rf /'
    }

    @Test
    void 'unknown, missing and invalid arguments fail in one error naming the step'() {
        assert errorOf { step(action: 'destroy', enviroment: 'prod') } ==
            "relayStack: unknown argument(s): enviroment; missing argument(s): env; action must be one of diff, deploy, not 'destroy' " +
            '(arguments: action, env, region, allowReplacement, allowDrift, role, roleAccount, externalId, service, timeoutMinutes; see vars/relayStack.txt)'
        assert shLines().isEmpty()
    }
}
