from customers.importing import ClientListImporter
from luckygas.import_command import ImportCommand


class Command(ImportCommand):
    help = "匯入客戶資料（舊系統匯出的客戶資料 .xlsx，工作表「客戶資料」）。"
    importer = ClientListImporter
    workbook = "客戶資料活頁簿"
    done = "客戶資料匯入完成"
    batch_size = 500
