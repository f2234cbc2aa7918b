"""The application factory and its settings."""

from lms import create_app


def test_config_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    app = create_app({"TESTING": True})
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def test_secret_key_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_secret_key_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_postgres_url_uses_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_DATABASE_URL", "postgres://u@h/db")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_cookies_secure_in_production_not_in_development(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_SECURE_COOKIES", raising=False)
    monkeypatch.setenv("LMS_ENV", "production")
    prod = create_app().config
    assert prod["SESSION_COOKIE_SECURE"] and prod["SESSION_COOKIE_HTTPONLY"]
    assert prod["SESSION_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("LMS_ENV", "development")
    assert not create_app().config["SESSION_COOKIE_SECURE"]


def test_login_page_renders_in_vietnamese(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Đăng nhập" in response.get_data(as_text=True)


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
