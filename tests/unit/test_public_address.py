"""In development the address in every absolute link follows the port the server runs on
(`PORT=5301 make run`), unless PUBLIC_BASE_URL says otherwise."""

import config
from booking import create_app
from booking.web import links


def test_the_development_address_follows_port():
    assert config.development_base_url({"PORT": "5301"}) == "http://127.0.0.1:5301"
    assert config.development_base_url({}) == "http://127.0.0.1:5000"
    given = {"PORT": "5301", "PUBLIC_BASE_URL": "https://desk.example.org"}
    assert config.development_base_url(given) == "https://desk.example.org"


def test_links_in_messages_use_the_port_the_development_server_runs_on(monkeypatch, tmp_path):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5301")
    app = create_app(
        config.DevelopmentConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'dev.db'}"
    )
    with app.app_context():
        assert links.base_url() == "http://127.0.0.1:5301"
        assert links.claim_url("abc").startswith("http://127.0.0.1:5301/")
