import { FullTextIndex } from '../../src/knowledge/full-text-index';
import type { Passage } from '../../src/knowledge/passage';

const passage = (title: string, headingPath: string[], text: string): Passage => ({
  docId: `${title}.md`,
  path: `/guides/${title}.md`,
  title,
  headingPath,
  text,
  tokens: 0,
});

/**
 * A large folder (over 2,000 passages, where common words are treated as such): "laptop" in 30% of the bodies, "desk"
 * in 60%, one passage per distinctive word ("dockingstation"), and two passages whose title or heading names laptops.
 */
function largeIndex(): FullTextIndex {
  const index = new FullTextIndex();
  for (let i = 0; i < 2_200; i++) {
    const words = [`word${i}`, i % 10 < 3 ? 'laptop laptop' : '', i % 10 < 6 ? 'desk' : '', 'filler text'];
    index.add(i, passage(`Guide ${i}`, [`Part ${i}`], words.join(' ')));
  }
  index.add(5_000, passage('Laptop returns', ['Leaving the company'], 'Bring it to the front office.'));
  index.add(5_001, passage('Leavers', ['Laptop', 'Wiping'], 'The service team wipes it.'));
  index.add(5_002, passage('Docks', ['Setup'], 'Plug the dockingstation into the laptop.'));
  return index;
}

describe('FullTextIndex over a large folder', () => {
  const index = largeIndex();

  it('ranks a passage by its rare words before the words most passages share', () => {
    expect(index.rank('my laptop dockingstation is dead')[0].id).toBe(5_002);
  });

  it('answers a question of common words only with the passages whose title or headings name them', () => {
    // Before: every body mentioning "laptop" (660 of them) was scored and 50 sent on, none about laptops as such.
    const ids = index.rank('what about my laptop?').map((hit) => hit.id);
    expect(ids.sort()).toEqual([5_000, 5_001]);
  });

  it('narrows a follow-up by the previous question the same way: its common words in titles and headings only', () => {
    const ids = index.rank('and the dockingstation?', 'what about my laptop?').map((hit) => hit.id);
    expect(ids[0]).toBe(5_002);
    expect(ids.sort()).toEqual([5_000, 5_001, 5_002]);
  });

  it('finds nothing for a word on most passages rather than picking passages at random', () => {
    expect(index.rank('desk')).toEqual([]);
  });

  it('still searches every field of every passage in a small folder', () => {
    const small = new FullTextIndex();
    small.add(1, passage('Printing', ['Badges'], 'Tap your badge at any printer.'));
    small.add(2, passage('Wi-Fi', ['Guests'], 'Guests get a badge and a voucher.'));
    expect(
      small
        .rank('badge')
        .map((hit) => hit.id)
        .sort(),
    ).toEqual([1, 2]);
  });
});
