"""Policies: the law and the team's own rules, checked against manifests before any write.

Modules: `findings` (the Finding record and its one-line form), `rules` (the rule vocabulary
and the `reconciler.yaml` models), `presets` (built-in rule sets such as vn-decree-91),
`config` (reading and validating `reconciler.yaml`), `evaluate` (pure: specs × rules →
findings), `selection` (which rules select a campaign, indexed once), `nearmiss` (labels that
almost select one), `schema` (the JSON Schema of `reconciler.yaml`). Labels, allowed values
and names are compared in Unicode NFC. Plans carry the findings;
reconciler/render/findings.py shows them in each report.
"""
