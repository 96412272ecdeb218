/*
 * Creates the POSIX objects of samples/posix-ls.txt in the current IPC/mount namespace:
 * shm "pshm_a" (8 KiB), semaphore "psem_a" (value 3), queue "/pmq_a" holding 2 messages, 21 bytes.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	int fd = shm_open("/pshm_a", O_RDWR | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, 8192) < 0) {
		perror("shm");
		return 1;
	}
	close(fd);

	sem_t *sem = sem_open("/psem_a", O_CREAT, 0644, 3);
	if (sem == SEM_FAILED) {
		perror("sem_open");
		return 1;
	}
	sem_close(sem);

	mqd_t mq = mq_open("/pmq_a", O_RDWR | O_CREAT, 0644, NULL);
	if (mq == (mqd_t) -1 || mq_send(mq, "hello world", 11, 0) < 0 || mq_send(mq, "0123456789", 10, 0) < 0) {
		perror("mq");
		return 1;
	}
	mq_close(mq);
	return 0;
}
