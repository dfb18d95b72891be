"""Where an outcome webhook may point: https to a public host, checked by address."""

import pytest

from booking.services.referrals import webhook_addresses
from booking.services.referrals.webhook_addresses import UnsafeAddress


def names(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("not found")
        return table[host]

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:5432/",
        "http://force.example.org/hooks",
        "ftp://force.example.org/hooks",
        "https://localhost/hooks",
        "https://127.0.0.1:5432/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/hooks",
        "https://172.16.4.1/hooks",
        "https://192.168.1.1/hooks",
        "https://100.64.0.1/hooks",
        "https://[::1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "https://user:secret@force.example.org/hooks",
        "https:///hooks",
    ],
)
def test_plain_http_and_inward_addresses_are_refused_when_saved(url):
    with pytest.raises(UnsafeAddress):
        webhook_addresses.check_when_saved(url, resolver=names({}))


@pytest.mark.parametrize(
    "inward",
    [["127.0.0.1"], ["10.2.3.4"], ["169.254.169.254"], ["::1"], ["81.2.69.160", "10.0.0.1"]],
)
def test_a_name_resolving_inward_is_refused(inward):
    url = "https://hooks.force-example.org/outcomes"
    with pytest.raises(UnsafeAddress, match="public host"):
        webhook_addresses.check_when_saved(url, resolver=names({"hooks.force-example.org": inward}))
    with pytest.raises(UnsafeAddress, match="public host"):
        webhook_addresses.public_addresses(url, resolver=names({"hooks.force-example.org": inward}))


def test_https_to_a_public_host_is_accepted_with_its_checked_addresses():
    resolver = names({"hooks.force-example.org": ["81.2.69.160", "2a00:1450:4009:81f::200e"]})
    url = "https://hooks.force-example.org:8443/outcomes?x=1"
    webhook_addresses.check_when_saved(url, resolver=resolver)
    host, port, addresses = webhook_addresses.public_addresses(url, resolver=resolver)
    assert (host, port) == ("hooks.force-example.org", 8443)
    assert addresses == ["81.2.69.160", "2a00:1450:4009:81f::200e"]


def test_a_name_not_found_yet_may_be_saved_but_is_not_sent_to():
    url = "https://not-yet.force-example.org/outcomes"
    webhook_addresses.check_when_saved(url, resolver=names({}))
    with pytest.raises(UnsafeAddress, match="could not be found"):
        webhook_addresses.public_addresses(url, resolver=names({}))
