import org.junit.Test

class RelayStandbyTest extends StepTestCase {
    final String stepName = 'relayStandby'

    @Test
    void 'brings the standby onto the release under the standby region lock'() {
        step(env: 'prod')

        assert shLines() == ['relay release promote-standby --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO"']
        assert calls('sh')[0].env.subMap(['RELAY_FROM', 'RELAY_TO']) == [RELAY_FROM: 'us-east-1', RELAY_TO: 'us-west-2']
        assert calls('lock')[0].args[0].resource == 'relay-prod-us-west-2'
    }

    @Test
    void 'names the step and the key'() {
        assert errorOf { step(env: 'prod', region: 'us-west-2') }.startsWith('relayStandby: unknown argument(s): region (')
    }
}
