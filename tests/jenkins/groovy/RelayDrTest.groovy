import org.junit.Test

class RelayDrTest extends StepTestCase {
    final String stepName = 'relayDr'

    @Test
    void 'plans as a dry run, holding both regions at once'() {
        step(action: 'plan', env: 'prod')

        assert shLines() == ['relay dr "$RELAY_DR_ACTION" --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO" --report-dir reports/dr']
        assert calls('sh')[0].env.RELAY_DR_ACTION == 'plan'
        assert calls('lock')[0].args[0] == [resource: 'relay-prod-us-west-2', extra: [[resource: 'relay-prod-us-east-1']]]
    }

    @Test
    void 'promotes only with the confirmation string'() {
        step(action: 'promote', env: 'prod', execute: true, confirm: 'prod-us-west-2', forceRpo: 'primary region lost',
             approvers: 'relay-oncall')

        assert shLines() == ['relay dr "$RELAY_DR_ACTION" --env "$RELAY_ENV" --from "$RELAY_FROM" --to "$RELAY_TO"' +
                             ' --report-dir reports/dr --execute --confirm "$RELAY_CONFIRM" --force-rpo "$RELAY_FORCE_RPO"']
        assert calls('sh')[0].env.RELAY_CONFIRM == 'prod-us-west-2'
        assert calls('input')*.args*.getAt(0) == [[message: 'promote prod from us-east-1 to us-west-2: really change it?',
                                                  ok: 'Promote', submitter: 'relay-oncall']]
    }

    @Test
    void 'executing needs approvers: the confirmation string only catches typos'() {
        assert errorOf { step(action: 'promote', env: 'prod', execute: true, confirm: 'prod-us-west-2') } ==
            'relayDr: execute needs approvers: who may approve a change to the regions (the on-call group)'
        assert shLines().isEmpty() && calls('input').isEmpty()
    }

    @Test
    void 'a rejected approval changes nothing'() {
        helper.registerAllowedMethod('input') { Object[] args -> throw new PipelineAborted('Rejected by bob') }

        try {
            step(action: 'promote', env: 'prod', execute: true, confirm: 'prod-us-west-2', approvers: 'relay-oncall')
            assert false: 'promoted without approval'
        } catch (PipelineAborted expected) {
            assert shLines().isEmpty()
        }
    }

    @Test
    void 'refuses the same region as from and to, other names are checked by relay'() {
        assert errorOf { step(action: 'plan', env: 'prod', from: 'us-west-2', to: 'us-west-2') } ==
            'relayDr: from and to are both us-west-2: DR moves the primary to the other region'
        assert shLines().isEmpty()
        step(action: 'plan', env: 'live', from: 'eu-west-1', to: 'eu-central-1')
        assert calls('sh')[0].env.subMap(['RELAY_ENV', 'RELAY_FROM', 'RELAY_TO']) ==
            [RELAY_ENV: 'live', RELAY_FROM: 'eu-west-1', RELAY_TO: 'eu-central-1']
    }

    @Test
    void 'refuses to execute with a wrong confirmation'() {
        assert errorOf { step(action: 'promote', env: 'prod', execute: true, confirm: 'prod') } ==
            "relayDr: execute needs action promote, failback or drill and confirm: 'prod-us-west-2' (got action 'promote', confirm 'prod')"
        assert shLines().isEmpty()
    }

    @Test
    void 'failback is confirmed with the region that changes, the old primary'() {
        assert errorOf { step(action: 'failback', env: 'prod', from: 'us-east-1', to: 'us-west-2', execute: true,
                              confirm: 'prod-us-west-2') }.contains("confirm: 'prod-us-east-1'")
        step(action: 'failback', env: 'prod', execute: true, confirm: 'prod-us-east-1', approvers: 'relay-oncall')

        assert calls('sh')[0].env.RELAY_CONFIRM == 'prod-us-east-1'
    }

    @Test
    void 'refuses to execute a plan'() {
        assert errorOf { step(action: 'plan', env: 'prod', execute: true, confirm: 'prod-us-west-2') }.startsWith(
            'relayDr: execute needs action promote, failback or drill')
    }

    @Test
    void 'rejects an unknown action with the others problems'() {
        assert errorOf { step(action: 'failover') } ==
            "relayDr: missing argument(s): env; action must be one of plan, promote, failback, drill, status, not 'failover' " +
            '(arguments: action, env, from, to, execute, confirm, forceRpo, approvers, role, roleAccount, externalId, service, timeoutMinutes; see vars/relayDr.txt)'
    }
}
