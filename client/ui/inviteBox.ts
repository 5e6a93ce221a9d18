/**
 * The invite link of a private room, shown in the game so whoever is in the
 * room can pass it on: the link (selectable) and a Copy button.
 */
import { inviteLink } from '../../shared/invite.ts';
import { el } from './dom.ts';

/** A card with the room's invite link; the scene appends `root` to its UI. */
export class InviteBox {
  readonly root: HTMLElement;

  /** `pageOrigin`: where the page is served (the link opens the same client). */
  constructor(code: string, pageOrigin: string) {
    const link = inviteLink(pageOrigin, code);
    const field = el('input', {
      class: 'invite-link',
      attrs: { type: 'text', readonly: '', value: link, 'aria-label': 'Invite link', 'data-code': code },
    });
    field.value = link;
    const copy = el('button', {
      class: 'btn small',
      text: 'Copy',
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
    this.root = el('div', { class: 'invite-box card', attrs: { 'data-testid': 'invite-box' } }, [
      el('div', { class: 'invite-title', text: `Private room · code ${code}` }),
      el('div', { class: 'invite-row' }, [field, copy]),
    ]);
  }
}
