import ExcelJS from 'exceljs';

/**
 * Reads an xlsx with an independent reader (exceljs, a devDependency), as a
 * spreadsheet would: the body of a `format=xlsx` response (base64, as the
 * handler answers) or the bytes.
 */
export async function readWorkbook(body: string | Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((typeof body === 'string' ? Buffer.from(body, 'base64') : body) as unknown as ArrayBuffer);
  return wb;
}
