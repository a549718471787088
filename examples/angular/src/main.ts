// The application's entry point, as a browser would run it (compiled here, not run).
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { ChatComponent } from './chat.component.js';
import { provideRealtime } from './realtime.service.js';

bootstrapApplication(ChatComponent, {
  providers: [provideZonelessChangeDetection(), provideRealtime({ url: 'wss://chat.example.com/socket' })],
}).catch((error: unknown) => console.error(error));
