"""The HTTP client of the campaign API: `ApiClient`, and the `ApiError` family it raises."""

from reconciler.api.client import ApiClient
from reconciler.api.errors import AmbiguousWriteError, ApiError

__all__ = ["AmbiguousWriteError", "ApiClient", "ApiError"]
