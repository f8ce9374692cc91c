import { extractPdfText, PdfTextError } from '../../src/files/pdf-text';
import { tinyPdf } from '../helpers/tiny-pdf';

describe('extractPdfText', () => {
  it('returns the text of a PDF, line by line', async () => {
    const text = await extractPdfText(tinyPdf(['VPN error 809', 'Check port 500 (UDP)']));
    expect(text).toBe('VPN error 809\nCheck port 500 (UDP)');
  });

  it('rejects bytes that are not a PDF with a PdfTextError', async () => {
    await expect(extractPdfText(Buffer.from('<!DOCTYPE html><html>Sign in</html>'))).rejects.toBeInstanceOf(
      PdfTextError,
    );
  });

  it('gives up on a PDF that takes longer than its time limit', async () => {
    await expect(extractPdfText(tinyPdf(['slow']), { timeoutMs: 1 })).rejects.toThrow('took longer than 1 ms');
  });

  it('leaves the caller’s bytes intact', async () => {
    const bytes = Buffer.from(tinyPdf(['kept']));
    const before = Buffer.from(bytes);
    await extractPdfText(bytes);
    expect(bytes.equals(before)).toBe(true);
  });
});
