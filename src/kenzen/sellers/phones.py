"""Phone numbers sellers give us (a callback's, the emergency contact), checked one way."""

from __future__ import annotations

import phonenumbers

from kenzen.errors import InvalidInput
from kenzen.i18n import N_

#: A marketplace whose id is not a country code reads national numbers as Japanese ones.
DEFAULT_REGION = "JP"


def e164(raw: str, marketplace_id: str, *, field: str = "phone") -> str:
    """The number in E.164 (``+819012345678``); a national number is read in the
    marketplace's country. Raise :class:`InvalidInput` naming ``field`` otherwise."""
    region = marketplace_id if len(marketplace_id) == 2 else DEFAULT_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(N_("error.sellers.not_phone_number"), field=field, raw=raw) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(N_("error.sellers.not_valid_number"), field=field, raw=raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
