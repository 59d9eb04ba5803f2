import org.junit.Test

class RelaySmokeTest extends StepTestCase {
    final String stepName = 'relaySmoke'

    @Test
    void 'tests the live slot by default'() {
        step(env: 'staging')

        assert shLines() == ['relay smoke --env "$RELAY_ENV" --region "$RELAY_REGION"']
    }

    @Test
    void 'tests one slot when asked'() {
        step(env: 'staging', slot: 'green')

        assert shLines() == ['relay smoke --env "$RELAY_ENV" --region "$RELAY_REGION" --slot "$RELAY_SLOT"']
        assert calls('sh')[0].env.RELAY_SLOT == 'green'
    }

    @Test
    void 'rejects a slot that does not exist'() {
        assert errorOf { step(env: 'staging', slot: 'purple') }.startsWith(
            "relaySmoke: slot must be one of , blue, green, not 'purple' (")
    }
}
