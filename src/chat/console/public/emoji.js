// The emoji igor's messages use, by Slack name, as the file of their Twemoji image
// (npm package @twemoji/svg: the code points in hex, `-` between them, without U+FE0F).
// Images rather than characters, so they show on a machine without an emoji font (a bare
// Debian); igor serves them at /console/emoji/<name>.svg. A plain ES module: the browser, igor's
// routes and the tests read the same list. test/chat/console/emoji.test.ts checks that every
// `:name:` in src/ is here, so a message with a new emoji shows its picture, not its name.

/** Slack name → Twemoji file name. */
export const EMOJI = Object.freeze(
  Object.assign(Object.create(null), {
    alarm_clock: '23f0',
    arrow_double_up: '23eb',
    arrow_right: '27a1',
    arrows_counterclockwise: '1f504',
    bar_chart: '1f4ca',
    bell: '1f514',
    bread: '1f35e',
    eyes: '1f440',
    heavy_check_mark: '2714',
    hourglass: '231b',
    information_source: '2139',
    large_green_circle: '1f7e2',
    leftwards_arrow_with_hook: '21a9',
    lock: '1f512',
    mag: '1f50d',
    mute: '1f507',
    no_entry: '26d4',
    no_entry_sign: '1f6ab',
    package: '1f4e6',
    raised_hand: '270b',
    red_circle: '1f534',
    repeat: '1f501',
    rewind: '23ea',
    rocket: '1f680',
    rotating_light: '1f6a8',
    snowflake: '2744',
    tada: '1f389',
    test_tube: '1f9ea',
    triangular_flag_on_post: '1f6a9',
    unlock: '1f513',
    warning: '26a0',
    wastebasket: '1f5d1',
    white_check_mark: '2705',
    x: '274c',
  }),
);

/** Where igor serves an emoji's image. */
export function emojiUrl(name) {
  return `/console/emoji/${name}.svg`;
}
