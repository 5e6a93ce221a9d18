/**
 * The invite link of a private room, shown in the game so whoever is in the
 * room can pass it on: the link (selectable) and a Copy button, and the same
 * for its watch variant, which opens the match as a spectator.
 */
import { inviteLink } from '../../shared/invite.ts';
import { watchLink } from '../../shared/spectate.ts';
import { el } from './dom.ts';

/** A card with the room's invite and watch links; the scene appends `root` to its UI. */
export class InviteBox {
  readonly root: HTMLElement;

  /** `pageOrigin`: where the page is served (the link opens the same client). */
  constructor(code: string, pageOrigin: string) {
    this.root = el('div', { class: 'invite-box card', attrs: { 'data-testid': 'invite-box' } }, [
      el('div', { class: 'invite-title', text: `Private room · code ${code}` }),
      linkRow(inviteLink(pageOrigin, code), 'invite-link', 'Invite link', code),
      linkRow(watchLink(pageOrigin, code), 'watch-link', 'Watch link', code),
    ]);
  }
}

/** One link, selectable, with a Copy button. */
function linkRow(link: string, className: string, label: string, code: string): HTMLElement {
  const field = el('input', {
    class: className,
    attrs: { type: 'text', readonly: '', value: link, 'aria-label': label, title: label, 'data-code': code },
  });
  field.value = link;
  const copy = el('button', {
    class: 'btn small',
    text: className === 'watch-link' ? 'Copy watch link' : 'Copy',
    attrs: { type: 'button' },
    on: {
      click: () => {
        field.select();
        // The clipboard needs a secure context; selecting the link lets the player copy it by hand otherwise.
        void navigator.clipboard?.writeText(link).then(
          () => (copy.textContent = 'Copied'),
          () => undefined,
        );
      },
    },
  });
  return el('div', { class: 'invite-row' }, [field, copy]);
}
