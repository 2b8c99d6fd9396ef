"""Row ids as requests may carry them.

Every id in a path, a body or a form is bounded by the largest one the databases hold (a
signed 64-bit integer): SQLite cannot even look up a larger one, so an id out of range is a
422 at the boundary, never a failed query.
"""

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
