import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import connection

from luckygas import envfile

pytestmark = pytest.mark.django_db


def pragma(name):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite tuning")
def test_sqlite_runs_with_the_recommended_pragmas():
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 1  # NORMAL
    assert pragma("temp_store") == 2  # MEMORY
    assert pragma("cache_size") < 0  # a size in KiB, not pages
    assert pragma("mmap_size") > 0
    assert pragma("busy_timeout") >= 20_000
    options = django_settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_postgresql_keeps_connections_and_checks_their_health():
    database = django_settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_postgresql_compiles_no_query_just_in_time():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_postgresql_options_in_the_url_are_kept_beside_jit_off():
    code = "import luckygas.settings as s; print(s.DATABASES['default']['OPTIONS'])"
    url = "postgres://u@127.0.0.1:5432/db?options=-c%20statement_timeout%3D5000"
    result = run_python(["-c", code], DEBUG="1", DATABASE_URL=url)
    assert "'options': '-c statement_timeout=5000 -c jit=off'" in result.stdout


def run_python(arguments, unset=(), **environment):
    """Run Python in the project, with the settings' variables only as given."""
    names = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", *unset)
    env = {key: value for key, value in os.environ.items() if key not in names}
    # A developer's own .env stays out of it.
    env["ENV_FILE"] = "/nonexistent/.env"
    env.update(environment)
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def load_settings(**environment):
    code = "import luckygas.settings as s; print(s.ALLOWED_HOSTS)"
    return run_python(["-c", code], **environment)


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()
    assert result.returncode != 0
    assert "時必須設定 SECRET_KEY" in result.stderr


def test_production_takes_its_hosts_from_the_environment():
    result = load_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="gas.example, 10.0.0.5")
    assert result.stdout.strip() == "['gas.example', '10.0.0.5']"


def test_a_bad_boolean_stops_start_up_with_a_clear_message():
    result = load_settings(DEBUG="maybe")
    assert "DEBUG 應為 true 或 false" in result.stderr


def test_the_business_runs_on_taipei_time_in_traditional_chinese():
    assert django_settings.TIME_ZONE == "Asia/Taipei"
    assert django_settings.USE_TZ is True
    assert django_settings.LANGUAGE_CODE == "zh-hant"


@pytest.mark.parametrize(
    "url", ["/customers/?q=%00", "/customers/?area=%00", "/customers/%00/"]
)
def test_a_nul_character_is_turned_away_not_a_server_error(office_client, url):
    response = office_client.get(url)
    assert response.status_code == 400
    assert "無效的字元" in response.content.decode()


def run_manage(**environment):
    code = "from django.conf import settings; print(settings.DEBUG)"
    return run_python(
        ["manage.py", "shell", "--verbosity", "0", "-c", code], **environment
    )


def test_manage_py_runs_in_development_mode_on_a_machine_without_a_key():
    result = run_manage()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_manage_py_stays_in_production_on_a_server_with_its_key():
    result = run_manage(SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


PRODUCTION = {"SECRET_KEY": "k7#Qz" * 12, "ALLOWED_HOSTS": "gas.example"}


def test_production_settings_pass_the_deployment_checklist():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_a_plain_http_lan_sends_no_strict_transport_security():
    code = "import luckygas.settings as s; print(s.SECURE_HSTS_SECONDS)"
    lan = run_python(["-c", code], SECURE_SSL_REDIRECT="false", **PRODUCTION)
    https = run_python(["-c", code], **PRODUCTION)
    assert (lan.stdout.strip(), https.stdout.strip()) == ("0", "31536000")


def test_a_bad_slow_threshold_stops_start_up_with_a_clear_message():
    result = load_settings(DEBUG="1", SLOW_QUERY_MS="abc")
    assert "SLOW_QUERY_MS 應為整數，不是 'abc'" in result.stderr


@pytest.mark.parametrize(
    "environment, named",
    [
        ({"DEBUG": "1", "SLOW_QUERY_MS": "abc"}, "SLOW_QUERY_MS 應為整數"),
        ({"DEBUG": "1", "DATABASE_URL": "notaurl"}, "DATABASE_URL 無法使用"),
        ({"SECURE_COOKIES": "maybe", **PRODUCTION}, "SECURE_COOKIES 應為 true"),
        ({"DEBUG": "1", "REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL 應以 redis://"),
    ],
)
def test_a_wrong_value_in_env_stops_manage_py_in_one_line(environment, named):
    result = run_python(["manage.py", "check"], **environment)

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert " check 設定有誤（.env 或環境變數）：" in line and named in line


def env_file(tmp_path, text):
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return str(path)


SHOW = (
    "from django.conf import settings as s; "
    "print(s.DEBUG, s.SLOW_QUERY_MS, s.DATABASES['default']['PASSWORD'])"
)


def test_manage_py_reads_the_servers_env_file_the_environment_first(tmp_path):
    path = env_file(
        tmp_path,
        "# the server's settings\n"
        f"SECRET_KEY={'k7#Qz' * 12}\n"
        "ALLOWED_HOSTS=gas.example\n"
        "DATABASE_URL=postgres://luckygas:p%26w$x@127.0.0.1:5432/luckygas\n"
        "SLOW_QUERY_MS = 250\n",
    )

    command = ["manage.py", "shell", "--verbosity", "0", "-c", SHOW]
    # The suite's own DATABASE_URL, set in the environment, would win.
    read = run_python(command, unset=["DATABASE_URL"], ENV_FILE=path)
    overridden = run_python(command, ENV_FILE=path, SLOW_QUERY_MS="300")

    assert read.stdout.split() == ["False", "250", "p&w$x"], read.stderr
    assert overridden.stdout.split()[1] == "300"


def test_the_web_server_reads_the_env_file_too(tmp_path):
    path = env_file(tmp_path, f"SECRET_KEY={'k' * 50}\nSLOW_QUERY_MS=250\n")
    code = "import luckygas.wsgi; " + SHOW

    result = run_python(["-c", code], ENV_FILE=path)

    assert result.stdout.split()[:2] == ["False", "250"], result.stderr


@pytest.mark.parametrize("line", ["BACKUP_DIR", "SECRET_KEY='unclosed"])
def test_a_line_of_the_env_file_that_cannot_be_read_stops_the_command(tmp_path, line):
    path = env_file(tmp_path, f"DEBUG=1\n{line}\nSLOW_QUERY_MS=250\n")

    result = run_python(["manage.py", "backup"], ENV_FILE=path)

    assert result.returncode == 1
    (message,) = result.stderr.splitlines()
    assert " backup 設定有誤（.env 或環境變數）：" in message
    assert "第 2 行應為 名稱=值" in message and line in message


def test_var_and_an_empty_backup_dir_are_made_for_the_apps_user_only(tmp_path):
    var = tmp_path / "var"
    code = "import luckygas.settings as s; print(s.BACKUP_DIR)"

    result = run_python(["-c", code], DEBUG="1", VAR_DIR=str(var), BACKUP_DIR="")

    assert result.stdout.strip() == str(var / "backups"), result.stderr
    assert var.stat().st_mode & 0o777 == 0o700


def test_a_misspelt_name_in_the_env_file_is_refused_with_the_likely_one(tmp_path):
    path = env_file(tmp_path, "DEBUG=1\nBAKCUP_DIR=/backup/luckygas\n")

    result = run_python(["manage.py", "backup"], ENV_FILE=path)

    assert result.returncode == 1
    assert (
        "第 2 行：BAKCUP_DIR 不是本系統的設定（是不是 BACKUP_DIR？）" in result.stderr
    )


def test_every_setting_the_app_reads_may_be_written_in_the_env_file():
    sources = [
        django_settings.BASE_DIR / "luckygas" / "settings.py",
        django_settings.BASE_DIR / "gunicorn.conf.py",
    ]
    read = {
        name
        for source in sources
        for name in re.findall(
            r'(?:env_\w+\(|environ\.get\(|environ\[)"([A-Z_]+)"', source.read_text()
        )
    }
    assert read and read - {"ENV_FILE"} <= envfile.KNOWN
    readme = (django_settings.BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z_]+)`", readme)) & envfile.KNOWN
    assert documented == envfile.KNOWN


def test_a_relative_backup_dir_is_under_the_checkout_and_files_are_private(
    tmp_path,
):
    var = tmp_path / "var"
    code = (
        "import luckygas.settings as s; print(s.BACKUP_DIR); "
        "open(s.VAR_DIR / 'written', 'w').close()"
    )

    result = run_python(
        ["manage.py", "shell", "--verbosity", "0", "-c", code],
        DEBUG="1",
        VAR_DIR=str(var),
        BACKUP_DIR="backups-here",
    )

    assert result.stdout.strip() == str(django_settings.BASE_DIR / "backups-here")
    assert (var / "written").stat().st_mode & 0o777 == 0o600


def test_gunicorn_stops_in_one_line_on_a_wrong_setting(tmp_path):
    path = env_file(tmp_path, "DEBUG=maybe\n")
    code = "import runpy; runpy.run_path('gunicorn.conf.py')"

    result = run_python(["-c", code], ENV_FILE=path)

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert "DEBUG 應為 true 或 false" in line
