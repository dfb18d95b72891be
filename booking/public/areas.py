"""Areas named as places people know, not as police forces.

A person looking for a session thinks "Hertfordshire" or "London", not "Hertfordshire
Constabulary". The force's own name is still shown, smaller, because a referral letter names it.
"""

import re

# Forces whose area is not simply their name without "Police" or "Constabulary".
_PLACES = {
    "metropolitan": "London",
    "city-of-london": "City of London",
    "thames-valley": "Berkshire, Buckinghamshire and Oxfordshire",
    "west-mercia": "Herefordshire, Shropshire and Worcestershire",
    "northumbria": "Northumberland, Tyne and Wear",
    "dyfed-powys": "Carmarthenshire, Ceredigion, Pembrokeshire and Powys",
    "gwent": "Gwent (Newport, Monmouthshire and nearby)",
    "cleveland": "Teesside (Cleveland)",
    "humberside": "East Yorkshire and North Lincolnshire (Humberside)",
    "sussex": "East and West Sussex",
    "avon-and-somerset": "Bristol, Bath and Somerset",
    "devon-and-cornwall": "Devon, Cornwall and the Isles of Scilly",
}
_FORCE_WORDS = re.compile(r"\s+(Police Service|Police|Constabulary)$")


def place_name(slug: str, force_name: str) -> str:
    """The area a force covers, in everyday words."""
    return _PLACES.get(slug) or _FORCE_WORDS.sub("", force_name).replace(" & ", " and ")


def area_label(slug: str, force_name: str) -> str:
    """An option in "Where you live": the place, then the force in brackets."""
    place = place_name(slug, force_name)
    return place if place == force_name else f"{place} ({force_name})"
