"""Country codes: ISO 3166-1 alpha-2, checked without a network or a dependency."""

from __future__ import annotations

ISO_3166_1_ALPHA_2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905  (a block of codes reads better than 249 quoted strings)
)
"""The 249 officially assigned ISO 3166-1 alpha-2 codes (taken from pycountry 26.2.16)."""

COUNTRY_HINTS = {"UK": "GB", "EL": "GR"}
"""Codes people use that ISO 3166-1 does not assign, with the code they mean where there is one."""

INTERNATIONAL = "INTL"
"""The country of a resource that serves everyone, wherever they are."""


def country_problem(code: object) -> str | None:
    """What is wrong with a country code, or None if it is an assigned ISO 3166-1 alpha-2 code.

    Any case is accepted. The message never repeats the code itself, only what is expected and,
    for a well-known mistake such as ``UK``, the code meant.
    """
    if not isinstance(code, str) or len(code) != 2 or not code.isascii() or not code.isalpha():
        return "a two-letter ISO 3166-1 country code such as 'GB'"
    upper = code.upper()
    if upper in ISO_3166_1_ALPHA_2:
        return None
    if hint := COUNTRY_HINTS.get(upper):
        return f"not an ISO 3166-1 country code: use '{hint}'"
    return "not an assigned ISO 3166-1 country code; use one such as 'GB', 'US' or 'ES'"
