"""A town or the start of a postcode finds the area, from data shipped with the app."""

import pytest

from booking.services.bookings import places


@pytest.mark.parametrize(
    ("typed", "area"),
    [
        ("SG1", "hertfordshire"),
        ("sg1 2ab", "hertfordshire"),
        ("AL", "hertfordshire"),
        ("B15 2TT", "west-midlands"),
        ("Stevenage", "hertfordshire"),
        ("  milton   keynes ", "thames-valley"),
        ("Carmarthen", "dyfed-powys"),
    ],
)
def test_towns_and_postcodes_find_their_area(typed, area):
    assert places.area_for(typed) == area


@pytest.mark.parametrize("typed", ["", "   ", "Atlantis", "ZZ1", "12345"])
def test_what_is_not_a_known_place_finds_nothing(typed):
    assert places.area_for(typed) is None


def test_every_area_named_is_a_force_in_the_app():
    from booking.demo.forces import FORCES

    slugs = {slug for slug, _ in FORCES}
    assert set(places.POSTCODE_AREAS.values()) <= slugs
    assert set(places.TOWNS.values()) <= slugs
