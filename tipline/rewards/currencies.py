"""ISO 4217 currency codes and their minor units (decimal places).

A table rather than a dependency: it changes a few times a decade, and a code
missing here is refused with a clear message rather than guessed at.
"""

from __future__ import annotations

import re

_BY_EXPONENT = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    2: (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV "
        "BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK "
        "DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL "
        "HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL "
        "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO "
        "NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK "
        "SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
        "UAH USD USN UZS VES WST XCD YER ZAR ZMW ZWG"
    ),
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_UNITS: dict[str, int] = {
    code: exponent for exponent, codes in _BY_EXPONENT.items() for code in codes.split()
}
# Digits, optionally a point and more digits: no sign, no exponent, no grouping,
# so "1e3", "-5", "1,000" and " 5" are refused rather than read some other way.
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,15})(?:\.(?P<fraction>[0-9]+))?")


class UnknownCurrency(ValueError):
    pass


class BadAmount(ValueError):
    pass


def is_known(code: str) -> bool:
    return code in MINOR_UNITS


def minor_units(code: str) -> int:
    try:
        return MINOR_UNITS[code]
    except KeyError:
        raise UnknownCurrency(code) from None


def to_minor(text: str, currency: str) -> int:
    """``"12.50"`` CNY as 1250: exact, from the decimal string, never a float.
    More decimals than the currency has, or anything but plain digits, raise
    BadAmount."""
    exponent = minor_units(currency)
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise BadAmount(text)
    fraction = match["fraction"] or ""
    if len(fraction) > exponent:
        raise BadAmount(text)
    scale: int = 10**exponent
    return int(match["whole"]) * scale + int(fraction.ljust(exponent, "0") or 0)


def to_major(amount: int, currency: str) -> str:
    """1250 CNY as ``"12.50"`` (for showing and for forms)."""
    exponent = minor_units(currency)
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**exponent)
    if exponent == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{exponent}d}"
