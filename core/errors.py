"""The project's exceptions: one small hierarchy, each with the HTTP status
it maps to and a message a user can act on.

Every layer raises these; the CLI prints ``message`` and exits with
``exit_code``; the API turns them into one JSON error shape.
"""

from __future__ import annotations

from typing import Any


class VawgError(Exception):
    """Base class. ``message`` is shown to users as is, so it is always the project's own words.

    ``internal`` carries text from elsewhere (a store's or another service's error message,
    a child process's error output): the API logs it with the request id and never sends it.
    """

    status: int = 500
    exit_code: int = 1
    code: str = "error"

    def __init__(self, message: str, *, internal: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.internal = internal

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class OntologyError(VawgError):
    """The ontology or a vocabulary file is malformed or inconsistent."""

    code = "ontology_error"
    exit_code = 3


class SourceError(VawgError):
    """A source document cannot be read (empty, binary, wrong encoding, malformed rows)."""

    status = 400
    code = "source_error"
    exit_code = 4


class JudgementsError(SourceError):
    """A reviewers' judgements file (``data/judgements.jsonl``) has a line the build cannot read."""

    code = "judgements_error"


class ValidationError(VawgError):
    """The built graph violates the SHACL shapes."""

    status = 500
    code = "validation_error"
    exit_code = 5


class BuildError(VawgError):
    """The build could not complete; the previous output is left intact."""

    code = "build_error"
    exit_code = 6


class NotFoundError(VawgError):
    status = 404
    code = "not_found"
    exit_code = 2


class BadRequestError(VawgError):
    """The client sent something malformed (bad filter value, unparsable query)."""

    status = 400
    code = "bad_request"
    exit_code = 2


class QueryParseError(BadRequestError):
    code = "query_parse_error"


class ForbiddenQueryError(VawgError):
    """A read-only endpoint was asked to write, load, or reach out (SERVICE, LOAD CSV)."""

    status = 403
    code = "forbidden_query"
    exit_code = 2


class QueryTimeoutError(VawgError):
    status = 503
    code = "query_timeout"
    exit_code = 7


class ResultTooLargeError(VawgError):
    status = 413
    code = "result_too_large"
    exit_code = 7


class ResultNotRepresentableError(VawgError):
    """The answer holds something the requested format cannot write (e.g. a control character in XML)."""

    status = 406
    code = "not_acceptable"
    exit_code = 2


class StoreUnavailableError(VawgError):
    """A store (usually Neo4j) is not running or refuses us."""

    status = 503
    code = "store_unavailable"
    exit_code = 8


class StoreError(VawgError):
    status = 500
    code = "store_error"
    exit_code = 8


class TooManyRequestsError(VawgError):
    """A query lane is full: every worker is busy and the waiting line is at its limit."""

    status = 429
    code = "too_many_requests"
    exit_code = 7

    def __init__(self, message: str, retry_after_s: int = 2, **details: Any) -> None:
        super().__init__(message, retry_after_s=retry_after_s, **details)
        self.retry_after_s = retry_after_s
