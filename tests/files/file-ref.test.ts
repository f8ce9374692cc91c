import { parseEvent } from '../../src/conversation/incoming';
import { parseFileRefs } from '../../src/files/file-ref';

const slackFile = {
  id: 'F0123ABC',
  name: 'error\n```.png',
  title: 'error',
  mimetype: 'image/PNG',
  filetype: 'png',
  size: 1234,
  url_private: 'https://files.slack.com/files-pri/T1-F0123ABC/error.png',
  url_private_download: 'https://files.slack.com/files-pri/T1-F0123ABC/download/error.png',
  thumb_64: 'https://files.slack.com/thumb',
  user: 'U1',
  preview: 'secret text preview',
};

describe('parseFileRefs', () => {
  it('keeps only the safe metadata, with a name that cannot break out of the prompt', () => {
    expect(parseFileRefs({ files: [slackFile] })).toEqual([
      {
        id: 'F0123ABC',
        name: 'error ```.png'.replace(/`/g, ' ').replace(/\s+/g, ' '),
        mimetype: 'image/png',
        filetype: 'png',
        size: 1234,
        url_private_download: slackFile.url_private_download,
      },
    ]);
  });

  it('keeps Slack Connect files (no URL yet) and skips entries without a usable id', () => {
    const refs = parseFileRefs({
      files: [{ id: 'F9', mode: 'file_access', file_access: 'check_file_info' }, { id: 'x:y' }, null, 'F1'],
    });
    expect(refs).toEqual([
      { id: 'F9', name: 'F9', mimetype: '', filetype: '', size: 0, file_access: 'check_file_info' },
    ]);
  });
});

describe('parseEvent with files', () => {
  const base = { type: 'message', subtype: 'file_share', channel: 'D1', user: 'U1', ts: '1.1', team: 'T1' };

  it('carries the files of a file_share message and keeps its text', () => {
    const message = parseEvent({ ...base, text: 'what is this error?', files: [slackFile] }, 'T1', 'UBOT');
    expect(message).toMatchObject({ text: 'what is this error?', files: [{ id: 'F0123ABC', mimetype: 'image/png' }] });
  });

  it('still says "(shared a file)" when only files were sent', () => {
    const message = parseEvent({ ...base, text: '', files: [slackFile] }, 'T1', 'UBOT');
    expect(message).toMatchObject({ text: '(shared a file)', files: [{ id: 'F0123ABC' }] });
  });

  it('has no files field on a message without files', () => {
    const message = parseEvent({ ...base, subtype: undefined, text: 'hi' }, 'T1', 'UBOT');
    expect(message).not.toHaveProperty('files');
  });
});
