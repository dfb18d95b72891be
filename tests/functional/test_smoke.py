from tests import factories


def test_health_check_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_catalogue_lists_an_upcoming_session(client, db):
    session = factories.course_session(capacity=4)
    response = client.get("/sessions")
    assert response.status_code == 200
    assert session.course_type.name in response.get_data(as_text=True)
    assert "4 places left" in response.get_data(as_text=True)
