"""Operating declared campaigns, beside configuring them: `reconciler status` (live state,
call figures, the audit of real calls against the policies) and `reconciler start` (a run).

Modules: `window` (the report window, in the tenant's +07:00 clock), `audit` (pure: lead
report rows × rules → findings), `status` (reads the API), `report` (text, JSON, markdown),
`start` (pure: which targets may be started, and why not).

The run state (`status`: start/stop/pause) is never part of a manifest: it changes by itself
(a paused campaign turns to `start` at its scheduled time), so `plan` never reports it.
"""
