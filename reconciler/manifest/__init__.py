"""Manifests: YAML campaign entries → validated CampaignSpecs, with every problem located.

Modules: `schedule` (human schedules ⇄ API nanoseconds), `models` (CampaignSpec), `entry`
(validating one entry, user-facing wording), `locate` (line numbers), `loader` (files →
Manifests), `schema` (JSON Schema), `reference` (docs/manifest.md). Kept import-free so that
`reconciler.manifest.schedule` does not pull in pydantic.
"""
