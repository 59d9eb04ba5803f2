"""Cross-region disaster recovery: readiness, a plan of idempotent steps, a journal, a measured timeline.

The model is AWS ARC Region switch (ARCHITECTURE.md, decision 5): `plan` evaluates readiness and
models the RTO, `promote` runs the steps (in parallel where safe) with a journal so a re-run resumes,
`failback` re-protects, `drill` practises the whole cycle and `status` says where the writer lives.
"""
