from deliveries.importing import HistoryImporter
from luckygas.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "匯入配送紀錄（舊系統匯出的配送歷史 .xlsx：客戶、電子發票抬頭、客戶簡稱、"
        "地址、最後十次日期）。重複執行不會重複新增。"
    )
    importer = HistoryImporter
    workbook = "配送歷史活頁簿"
    done = "配送紀錄匯入完成"
    batch_size = 10_000
