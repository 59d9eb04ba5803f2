import org.junit.Test

class RelayReleaseTest extends StepTestCase {
    final String stepName = 'relayRelease'

    @Test
    void 'releases all at once with the defaults'() {
        step(env: 'staging', bundle: 's3://b/k.zip')

        assert shLines() == ['relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE"']
        assert calls('sh')[0].env.RELAY_BUNDLE == 's3://b/k.zip'
        assert calls('input').isEmpty()
    }

    @Test
    void 'canary and bake become options, their values stay in the environment'() {
        step(env: 'prod', bundle: 's3://b/k.zip', canary: 10, bake: 300)

        assert shLines() == ['relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE"' +
                             ' --canary "$RELAY_CANARY" --bake "$RELAY_BAKE"']
        assert calls('sh')[0].env.subMap(['RELAY_CANARY', 'RELAY_BAKE']) == [RELAY_CANARY: '10', RELAY_BAKE: '300']
    }

    @Test
    void 'the ready gate holds at ready under the lock, asks outside it, then continues'() {
        step(env: 'prod', bundle: 's3://b/k.zip', canary: 10, approve: true, approvers: 'release-managers')

        assert shLines() == ['relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE"' +
                             ' --canary "$RELAY_CANARY" --plan',
                             'relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE"' +
                             ' --canary "$RELAY_CANARY" --hold-at-ready',
                             'relay release continue --env "$RELAY_ENV" --region "$RELAY_REGION"']
        assert calls('input')[0].args[0] == [message: 'Move prod traffic in us-east-1 to s3://b/k.zip?', ok: 'Release',
                                             submitter: 'release-managers']
        assert helper.callStack.findAll { it.methodName in ['lock', 'input', 'sh'] }*.methodName ==
               ['lock', 'sh', 'sh', 'input', 'lock', 'sh']
        assert calls('timeout')*.args*.getAt(0)*.time == [90, 60, 90]
        assert calls('sh')*.env*.RELAY_REGION == ['us-east-1'] * 3
    }

    @Test
    void 'a rejected approval aborts the held release and moves no traffic'() {
        helper.registerAllowedMethod('input') { Object[] args -> throw new PipelineAborted('Rejected by alice') }

        try {
            step(env: 'prod', bundle: 's3://b/k.zip', approve: true, approvers: 'release-managers')
            assert false: 'the release went on without approval'
        } catch (PipelineAborted expected) {
            assert expected.message == 'Rejected by alice'
            assert shLines() == ['relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE" --plan',
                                 'relay release --env "$RELAY_ENV" --region "$RELAY_REGION" --bundle "$RELAY_BUNDLE" --hold-at-ready',
                                 'relay release abort --env "$RELAY_ENV" --region "$RELAY_REGION"']
            assert calls('lock')*.args*.getAt(0)*.resource == ['relay-prod-us-east-1', 'relay-prod-us-east-1']
        }
    }

    @Test
    void 'an approval needs approvers: one that anyone may give is refused before anything runs'() {
        assert errorOf { step(env: 'prod', bundle: 's3://b/k.zip', approve: true) } ==
            'relayRelease: approve needs approvers: an approval anyone who can build may give approves nothing'
        assert shLines().isEmpty() && calls('input').isEmpty()
    }

    @Test
    void 'any environment and region reach relay, which checks them against relay yaml'() {
        step(env: 'live', region: 'eu-west-1', bundle: 's3://b/k.zip')

        assert calls('sh')[0].env.subMap(['RELAY_ENV', 'RELAY_REGION']) == [RELAY_ENV: 'live', RELAY_REGION: 'eu-west-1']
        assert calls('lock')[0].args[0].resource == 'relay-live-eu-west-1'
    }

    @Test
    void 'bundle and env are required'() {
        assert errorOf { step(region: 'us-west-2', canary: 5, bundel: 'x') }.startsWith(
            'relayRelease: unknown argument(s): bundel; missing argument(s): bundle, env (arguments: env, region, bundle,')
    }
}
