import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { RealtimeService } from './realtime.service.js';

/** A chat panel: the connection status (with "Reconnect now" while down), the latest messages and a line to send one. */
@Component({
  selector: 'app-chat',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="status" [class.online]="realtime.connected()">{{ realtime.status() }}</p>
    @if (realtime.canReconnect()) {
      <button type="button" class="reconnect" (click)="realtime.reconnectNow()">Reconnect now</button>
    }
    <ul>
      @for (message of realtime.messages(); track $index) {
        <li><b>{{ message.user }}</b> {{ message.text }}</li>
      }
    </ul>
    <input #draft aria-label="Message" (keydown.enter)="send(draft)" />
    <button type="button" class="send" (click)="send(draft)">Send</button>
  `,
})
export class ChatComponent {
  /** The name messages are sent under. */
  readonly user = input('guest');

  protected readonly realtime = inject(RealtimeService);

  /** Sends what the field holds (queued while the socket is down) and clears it. */
  protected send(field: HTMLInputElement): void {
    const text = field.value.trim();
    if (text === '') return;
    this.realtime.send({ user: this.user(), text });
    field.value = '';
  }
}
