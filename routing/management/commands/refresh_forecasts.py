from luckygas.importing import progress
from luckygas.jobs import ScheduledCommand
from routing import forecast


class Command(ScheduledCommand):
    help = (
        "依每位客戶自己的配送歷史重新預測下次配送日（待配送名單的預測欄與"
        "預先聯絡名單），供 cron 每晚執行。"
    )

    def handle(self, *args, **options):
        with progress(None, "更新配送預測", options["verbosity"], unit="位") as bar:
            stored, known = forecast.refresh(bar)
        self.summary(f"配送預測已更新：{known} 位有配送紀錄的客戶，{stored} 位有預測。")
