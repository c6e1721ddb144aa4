import pytest
from django.core.management import CommandError, call_command

from customers.importing import ClientListImporter
from deliveries.importing import HistoryImporter

COMMANDS = {
    "import_customers": ClientListImporter,
    "import_deliveries": HistoryImporter,
}


@pytest.mark.parametrize("command", COMMANDS)
def test_an_import_refuses_a_batch_size_below_one(command):
    with pytest.raises(CommandError, match="應為正整數"):
        call_command(command, "file.xlsx", "--batch-size", "0")


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS)
def test_an_interrupted_import_says_how_to_finish_it(command, monkeypatch, tmp_path):
    def interrupt(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(COMMANDS[command], "run", interrupt)
    with pytest.raises(CommandError, match="再執行一次同一個檔案即可補齊"):
        call_command(command, str(tmp_path / "file.xlsx"))


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_is_not_taken_for_a_file(command, tmp_path):
    with pytest.raises(CommandError, match="是資料夾"):
        call_command(command, str(tmp_path))
