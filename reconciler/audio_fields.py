"""The audio API's vocabulary, in one place (vendor page autocall_audio.md).

What the API does not give, and a client must live with: a listing row is only
`{domain_uuid, audio_uuid, audio_name, user_uuid, created_at}` — no size, no content hash, no
download and no replace — so an uploaded file cannot be compared with a local one.
"""

from __future__ import annotations

# POST /v3/audio is multipart/form-data with these two parts.
NAME_PART = "audio_name"
FILE_PART = "file"
# The keys of a listing row, in the docs' order.
ROW_KEYS = ("domain_uuid", "audio_uuid", "audio_name", "user_uuid", "created_at")

# Answers (the page's examples).
NAME_TAKEN = "audio is existed"
DELETED_MESSAGE = "delete audio success"
DELETE_FAILED = "delete audio failed"
